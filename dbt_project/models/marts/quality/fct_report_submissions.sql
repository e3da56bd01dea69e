-- Completeness and timeliness of reporting: one row per extract owed (int_expected_extracts), with
-- what arrived for it. A file counts for an owed extract of its source and period when its ward is
-- the org unit (old ward codes taken as today's ward) or, for a district-wide extract, when it has
-- no ward. Only loaded files make it received; the first of them (by submission time) decides
-- whether it was on time, and a later correction does not change that.
with expected as (
    select * from {{ ref('int_expected_extracts') }}
),

files as (
    select * from {{ ref('stg_ingestion__files') }}
),

today_wards as (
    {{ today_wards() }}
),

files_today as (
    select
        files.*,
        today_wards.current_ward_code
    from files
    left join today_wards on files.ward_code = today_wards.ward_code
),

matched as (
    select
        expected.org_unit_code,
        expected.source,
        expected.period_key,
        files_today.file_id,
        files_today.submitted_at,
        cast(files_today.submitted_at as date) as submitted_date,
        files_today.first_seen_at,
        files_today.is_loaded,
        files_today.is_quarantined,
        files_today.is_current,
        files_today.superseded_by_file_id
    from expected
    inner join files_today
        -- a file covering the owed period's end: the period itself, or a snapshot sent more often than
        -- owed (a ward's March register answers for the first quarter)
        on files_today.source = expected.source
        and files_today.period_end = expected.period_end
        and files_today.period_start >= expected.period_start
        and (
            (expected.org_unit_level = 'ward' and files_today.current_ward_code = expected.org_unit_code)
            or (expected.org_unit_level = 'district' and files_today.ward_code is null)
        )
),

first_loaded as (
    select * from matched
    where is_loaded
    qualify row_number() over (
        partition by org_unit_code, source, period_key order by submitted_at, first_seen_at, file_id
    ) = 1
),

-- two current files can only come from two ward codes of today's ward (before a merger): the latest
current_loaded as (
    select * from matched
    where is_current
    qualify row_number() over (
        partition by org_unit_code, source, period_key order by submitted_at desc, first_seen_at desc, file_id
    ) = 1
),

-- the file an office sent that was set aside, so that the clerk knows what to send again
last_quarantined as (
    select
        matched.org_unit_code,
        matched.source,
        matched.period_key,
        files.file_name,
        files.quarantine_reason
    from matched
    inner join files using (file_id)
    where matched.is_quarantined
    qualify row_number() over (
        partition by matched.org_unit_code, matched.source, matched.period_key
        order by matched.submitted_at desc, matched.first_seen_at desc, matched.file_id
    ) = 1
),

file_counts as (
    select
        org_unit_code,
        source,
        period_key,
        count(*) filter (where is_loaded) as files_received,
        count(*) filter (where is_quarantined) as files_quarantined
    from matched
    group by all
),

final as (
    select
        expected.org_unit_code,
        expected.org_unit_level,
        expected.source,
        expected.period_key,
        expected.period_type,
        expected.period_start,
        expected.period_end,
        expected.deadline,
        true as expected,
        first_loaded.file_id is not null as received,
        first_loaded.file_id is null and expected.deadline >= current_date as pending,
        first_loaded.submitted_at as first_submitted_at,
        -- null while pending: not received and the deadline not yet passed
        case
            when first_loaded.file_id is not null then first_loaded.submitted_date <= expected.deadline
            when expected.deadline < current_date then false
        end as on_time,
        -- greatest() skips nulls: an extract not received must stay null, not 0 days late
        case when first_loaded.file_id is not null
            then cast(greatest(date_diff('day', expected.deadline, first_loaded.submitted_date), 0) as integer)
        end as days_late,
        cast(coalesce(file_counts.files_received, 0) as integer) as files_received,
        cast(coalesce(file_counts.files_quarantined, 0) as integer) as files_quarantined,
        coalesce(first_loaded.superseded_by_file_id is not null, false) as superseded,
        case when first_loaded.superseded_by_file_id is not null then current_loaded.submitted_at end as corrected_at,
        current_loaded.file_id as current_file_id,
        last_quarantined.file_name as quarantined_file_name,
        last_quarantined.quarantine_reason
    from expected
    left join first_loaded
        on expected.org_unit_code = first_loaded.org_unit_code
        and expected.source = first_loaded.source
        and expected.period_key = first_loaded.period_key
    left join current_loaded
        on expected.org_unit_code = current_loaded.org_unit_code
        and expected.source = current_loaded.source
        and expected.period_key = current_loaded.period_key
    left join last_quarantined
        on expected.org_unit_code = last_quarantined.org_unit_code
        and expected.source = last_quarantined.source
        and expected.period_key = last_quarantined.period_key
    left join file_counts
        on expected.org_unit_code = file_counts.org_unit_code
        and expected.source = file_counts.source
        and expected.period_key = file_counts.period_key
)

select * from final
