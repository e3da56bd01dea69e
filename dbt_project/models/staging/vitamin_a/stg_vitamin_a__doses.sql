-- One row per vitamin A dose; the ward is the row's ward (a station may list a neighbour's child).
with doses as (
    select * from {{ source('raw', 'vitamin_a') }}
),

files as (
    {{ current_files('vitamin_a') }}
),

final as (
    select
        {{ record_id('doses') }} as dose_id,
        doses.file_id,
        doses.source_row,
        files.report_period,
        files.file_received_at,
        coalesce(doses.ward_code, files.file_ward_code) as ward_code,
        {{ child_columns('doses') }},
        doses.vitamin_round as round_label,
        doses.dose_date,
        doses.dose_iu
    from doses
    inner join files on doses.file_id = files.file_id
)

select * from final
