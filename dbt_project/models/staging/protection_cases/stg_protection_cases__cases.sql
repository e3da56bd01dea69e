-- One row per child protection case (the child only by a pseudonymous code); the ward is the file's.
with cases as (
    select * from {{ source('raw', 'protection_cases') }}
),

files as (
    {{ current_files('protection_cases') }}
),

final as (
    select
        cases.case_id,
        cases.file_id,
        cases.source_row,
        files.report_period,
        files.file_received_at,
        files.file_ward_code as ward_code,
        cases.child_code,
        cases.age,
        cases.sex,
        cases.abuse_type,
        cases.reported_date,
        cases.intervened_date,
        date_diff('day', cases.reported_date, cases.intervened_date) as days_to_intervention,
        cases.support_measure,
        cases.case_status
    from cases
    inner join files on cases.file_id = files.file_id
)

select * from final
