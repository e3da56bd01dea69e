-- Restricted: the children one source knows and another does not, on the last reported day (as-of:
-- the end of the latest month the monthly extracts cover), for the ward officer to follow up. One row
-- per child × failed check (per missing dose for dose_overdue), with the name and personal ID. The
-- register checks read fct_child_status on as-of, so they count what the stock indicators count.
with periods as (
    select * from {{ ref('int_reporting_periods') }}
),

status as (
    select * from {{ ref('fct_child_status') }}
),

registrations as (
    select * from {{ ref('fct_birth_registrations') }}
),

cards as (
    select child_key, valid_from, valid_to from {{ ref('fct_health_insurance_cards') }}
    where child_key is not null
),

supports as (
    select child_key, support_date from {{ ref('fct_hcdb_support') }} where child_key is not null
),

doses as (
    -- schedule doses: items and dose numbers on the child's antigen history (a Hexaxim fills DTP-HepB-Hib and IPV)
    select child_key, vaccine_code, dose_number, dose_date from {{ ref('fct_immunization_schedule_doses') }}
    where child_key is not null
),

schedule as (
    select * from {{ ref('vaccine_schedule') }}
),

birth_registration_files as (
    {{ loaded_files('birth_registration') }}
),

immunization_files as (
    {{ loaded_files('immunization') }}
),

identities as (
    select * from {{ ref('child_identities') }}
),


-- register rows and registrations as written: the row behind a listed child, and the name and ID of
-- a record that could not be linked to a child
records as (
    select * from {{ ref('int_child_records_linked') }}
    where source in ('child_register', 'birth_registration')
),

as_of as (
    select max(period_end) as as_of_date from periods where period_type = 'month'
),

settings as (
    select
        {{ parameter('overdue_dose_days') }} as overdue_dose_days,
        {{ parameter('under6_age_months') }} as under6_age_months,
        -- children born earlier had doses (or a registration) before the warehouse's data began:
        -- their absence says nothing
        (select min(report_period_start) from birth_registration_files) as first_registration_day,
        (select min(report_period_start) from immunization_files) as first_immunization_day
),

members as (
    select status.*
    from status
    inner join as_of on status.as_of_date = as_of.as_of_date
),

-- the register row each member was counted from (member_key is the child, or the row itself when
-- it could not be linked); a child listed twice in one snapshot shows its first row
member_records as (
    select members.member_key, min(records.record_id) as record_id
    from members
    inner join records
        on records.source = 'child_register'
        and coalesce(records.child_key, records.record_id) = members.member_key
        and records.record_date = members.snapshot_date
        and records.ward_code = members.ward_code
    group by members.member_key
),

born_not_registered as (
    select
        'born_not_registered' as check_code,
        members.*,
        date_diff('day', members.birth_date, members.as_of_date) as days_since_birth
    from members
    cross join settings
    where members.birth_date >= settings.first_registration_day
        and not members.birth_registered
),

registered_not_in_register as (
    select
        'registered_not_in_register' as check_code,
        as_of.as_of_date,
        coalesce(registrations.child_key, registrations.registration_id) as member_key,
        registrations.child_key,
        registrations.ward_code,
        registrations.registration_id as record_id,
        registrations.birth_date,
        {{ age_in_months('registrations.birth_date', 'as_of.as_of_date') }} as age_months,
        date_diff('day', registrations.birth_date, as_of.as_of_date) as days_since_birth,
        registrations.registration_date
    from registrations
    cross join as_of
    where registrations.registration_date <= as_of.as_of_date
        and not exists (
            select 1 from members where members.child_key = registrations.child_key
        )
    -- a child registered twice (a repeated record) is one child to look for: its first registration
    qualify row_number() over (
        partition by coalesce(registrations.child_key, registrations.registration_id)
        order by registrations.registration_date, registrations.registration_id
    ) = 1
),

under6_without_valid_card as (
    select
        'under6_without_valid_card' as check_code,
        members.*,
        (
            select max(cards.valid_to) from cards
            where cards.child_key = members.child_key and cards.valid_from <= members.as_of_date
        ) as card_valid_to
    from members
    cross join settings
    where members.age_months < settings.under6_age_months
        and not members.insured
),

-- under 24 months as fct_child_status judges "fully immunised for age": the schedule's doses are
-- due by then (JE 3 at 730 days never is), and later catch-up is a campaign, not a follow-up list.
-- Every dose of the schedule counts, not only the fully-immunised list.
doses_due as (
    select
        members.*,
        schedule.vaccine_code,
        schedule.dose_number,
        schedule.in_full_immunisation,
        cast(members.birth_date + schedule.recommended_age_days as date) as due_date,
        date_diff('day', members.birth_date, members.as_of_date) - schedule.recommended_age_days as days_overdue
    from members
    cross join settings
    inner join schedule
        on date_diff('day', members.birth_date, members.as_of_date) - schedule.recommended_age_days
            > settings.overdue_dose_days
    where members.age_months < 24
        and members.birth_date >= settings.first_immunization_day
),

dose_overdue as (
    select
        'dose_overdue' as check_code,
        doses_due.*
    from doses_due
    where not exists (
        select 1 from doses
        where doses.child_key = doses_due.child_key
            and doses.vaccine_code = doses_due.vaccine_code
            and doses.dose_number = doses_due.dose_number
            and doses.dose_date <= doses_due.as_of_date
    )
),

hcdb_not_supported as (
    select
        'hcdb_not_supported' as check_code,
        members.*,
        (
            select max(supports.support_date) from supports
            where supports.child_key = members.child_key and supports.support_date <= members.as_of_date
        ) as last_support_date
    from members
    where members.is_hcdb
        and not members.supported_this_year
),

register_checks as (
    select * from born_not_registered
    union all by name
    select * from under6_without_valid_card
    union all by name
    select * from dose_overdue
    union all by name
    select * from hcdb_not_supported
),

failed as (
    select
        register_checks.*,
        'child_register' as source,
        member_records.record_id
    from register_checks
    left join member_records on register_checks.member_key = member_records.member_key

    union all by name

    select
        registered_not_in_register.*,
        'birth_registration' as source
    from registered_not_in_register
),

final as (
    select
        failed.as_of_date,
        failed.check_code,
        failed.ward_code,
        failed.member_key,
        failed.child_key,
        failed.source,
        failed.record_id,
        coalesce(identities.personal_id, records.child_id) as personal_id,
        coalesce(identities.child_name, records.child_name) as child_name,
        coalesce(identities.mother_name, records.mother_name) as mother_name,
        failed.birth_date,
        coalesce(failed.sex, records.sex) as sex,
        failed.residence,
        failed.age_months,
        failed.days_since_birth,
        failed.registration_date,
        failed.card_valid_to,
        failed.vaccine_code,
        failed.dose_number,
        failed.in_full_immunisation,
        failed.due_date,
        failed.days_overdue,
        failed.last_support_date
    from failed
    left join identities on failed.child_key = identities.child_key
    left join records on failed.record_id = records.record_id and failed.source = records.source
)

select * from final
