-- Members of birth_reg_on_time and birth_reg_linked: every registration, placed in the periods that
-- hold the child's birth date; numerators: registered on time, registered through the linked procedure.
with registrations as (
    select * from {{ ref('fct_birth_registrations') }}
),

final as (
    select
        'birth_reg_on_time' as indicator_code, ward_code, cast(null as date) as as_of_date,
        birth_date as event_date, registration_id as member_key,
        cast(on_time as integer) as numerator, 1 as denominator, 0 as baseline
    from registrations

    union all

    select
        'birth_reg_linked', ward_code, null, birth_date, registration_id,
        cast(linked_procedure as integer), 1, 0
    from registrations
)

select * from final
