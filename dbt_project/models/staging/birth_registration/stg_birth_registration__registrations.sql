-- One row per birth registration; the ward is the registering ward written in the row, else the file's.
with registrations as (
    select * from {{ source('raw', 'birth_registration') }}
),

files as (
    {{ current_files('birth_registration') }}
),

final as (
    select
        {{ record_id('registrations') }} as registration_id,
        registrations.file_id,
        registrations.source_row,
        files.report_period,
        files.file_received_at,
        coalesce(registrations.registration_ward_code, files.file_ward_code) as ward_code,
        {{ child_columns('registrations') }},
        registrations.mother_name,
        {{ fold_name('registrations.mother_name') }} as mother_name_folded,
        registrations.registration_date,
        date_diff('day', registrations.birth_date, registrations.registration_date) as days_to_register,
        coalesce(registrations.linked_procedure, false) as linked_procedure
    from registrations
    inner join files on registrations.file_id = files.file_id
)

select * from final
