-- One row per file that reached an inbox (raw.file_registry), loaded or quarantined, corrections and
-- the files they replaced included. Times are district local time: submitted_at is when the inbox
-- first held the file (its modification time, the office's submission), first_seen_at when the
-- pipeline first took it.
with registry as (
    select * from {{ source('raw', 'file_registry') }}
),

final as (
    select
        file_id,
        source,
        file_name,
        size_bytes,
        -- a clock running fast on the office's computer cannot make a file arrive after it was seen
        cast(least(received_at, processed_at) as timestamp) as submitted_at,
        cast(processed_at as timestamp) as first_seen_at,
        outcome,
        outcome = 'loaded' as is_loaded,
        outcome = 'quarantined' as is_quarantined,
        reason as quarantine_reason,
        ward_code,
        period as period_key,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_skipped,
        superseded_by as superseded_by_file_id,
        outcome = 'loaded' and superseded_by is null as is_current
    from registry
)

select * from final
