-- One row per birth registration: the child, today's ward, days from birth to registration, whether
-- on time (at most birth_reg_on_time_days) and whether through the linked procedure.
with registrations as (
    select * from {{ ref('stg_birth_registration__registrations') }}
),

links as (
    {{ child_links('birth_registration') }}
),

wards as (
    {{ today_wards() }}
),

final as (
    select
        registrations.registration_id,
        registrations.file_id,
        links.child_key,
        wards.current_ward_code as ward_code,
        registrations.birth_date,
        registrations.registration_date,
        registrations.days_to_register,
        registrations.days_to_register <= {{ parameter('birth_reg_on_time_days') }} as on_time,
        registrations.linked_procedure
    from registrations
    left join links on registrations.registration_id = links.record_id
    left join wards on registrations.ward_code = wards.ward_code
)

select * from final
