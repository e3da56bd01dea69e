-- Vaccine doses from the current version of each ward-month extract: ingestion marks a file as
-- superseded_by the correction loaded later for the same ward and period (raw keeps both).
with doses as (
    select * from {{ source('raw', 'immunization') }}
),

files as (
    {{ current_files('immunization') }}
),

final as (
    select
        {{ record_id('doses') }} as dose_id,
        doses.file_id,
        doses.source_row,
        files.report_period,
        files.file_ward_code as reporting_ward_code,
        files.file_received_at,
        {{ child_columns('doses') }},
        doses.ward_code,
        doses.vaccine_code,
        doses.dose_number,
        doses.dose_date,
        doses.facility
    from doses
    inner join files on doses.file_id = files.file_id
)

select * from final
