-- Vaccine doses from the current version of each ward-month extract: ingestion marks a file as
-- superseded_by the correction loaded later for the same ward and period (raw keeps both).
with doses as (
    select * from {{ source('raw', 'immunization') }}
),

files as (
    select * from {{ source('raw', 'file_registry') }}
    where source = 'immunization' and outcome = 'loaded'
),

latest_files as (
    select * from files where superseded_by is null
),

final as (
    select
        doses.file_id || '-' || cast(doses.source_row as varchar) as dose_id,
        doses.file_id,
        doses.source_row,
        latest_files.period as report_period,
        latest_files.ward_code as reporting_ward_code,
        latest_files.received_at as file_received_at,
        doses.child_id,
        doses.child_name,
        doses.birth_date,
        doses.sex,
        doses.ward_code,
        doses.vaccine_code,
        doses.dose_number,
        doses.dose_date,
        doses.facility
    from doses
    inner join latest_files on doses.file_id = latest_files.file_id
)

select * from final
