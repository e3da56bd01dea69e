-- A snapshot of each register child at each period end E: age, and whether the child is insured,
-- had the birth registered (on time), is fully immunised for age, took vitamin A in the last round,
-- belongs to an HCĐB group and was supported this year. The stock indicators count these rows.
-- A register row that could not be linked to a child (listed for review) has member_key = its record
-- and no child_key: it counts in the register, and nothing else can be known about it.
with members as (
    select * from {{ ref('int_register_members') }}
    where as_of_date in (select period_end from {{ ref('int_reporting_periods') }})
),

cards as (
    select child_key, valid_from, valid_to from {{ ref('fct_health_insurance_cards') }}
    where child_key is not null
),

registrations as (
    select child_key, min(registration_date) as registration_date, bool_or(on_time) as on_time
    from {{ ref('fct_birth_registrations') }}
    where child_key is not null
    group by child_key
),

supports as (
    select child_key, support_date from {{ ref('fct_hcdb_support') }} where child_key is not null
),

full_list as (
    select vaccine_code, dose_number, recommended_age_days
    from {{ ref('vaccine_schedule') }}
    where in_full_immunisation
),

first_doses as (
    select child_key, vaccine_code, dose_number, min(dose_date) as dose_date
    from {{ ref('fct_immunization_schedule_doses') }}  -- items and doses on the antigen history
    where child_key is not null
    group by all
),

-- a dose is due once the child is past its recommended age plus the grace days; under 24 months only
doses_due as (
    select
        members.member_key,
        members.as_of_date,
        count(*) as due,
        count(first_doses.dose_date) as given
    from members
    inner join full_list
        on full_list.recommended_age_days + {{ var('dose_grace_days') }}
            <= date_diff('day', members.birth_date, members.as_of_date)
    left join first_doses
        on members.child_key = first_doses.child_key
        and full_list.vaccine_code = first_doses.vaccine_code
        and full_list.dose_number = first_doses.dose_number
        and first_doses.dose_date <= members.as_of_date
    where {{ age_in_months('members.birth_date', 'members.as_of_date') }} < 24
    group by all
),

-- rounds the health centre reported on (a round before the first vitamin A extract is unknown, not missed)
vitamin_rounds as (
    select round_code, round_start from {{ ref('vitamin_a_rounds') }}
    where round_code in (select round_code from {{ ref('fct_vitamin_a_doses') }})
),

vitamin_doses as (
    select distinct child_key, round_code from {{ ref('fct_vitamin_a_doses') }} where child_key is not null
),

with_last_round as (
    select
        members.*,
        {{ age_in_months('members.birth_date', 'members.as_of_date') }} as age_months,
        (
            select max(round_start) from vitamin_rounds where round_start <= members.as_of_date
        ) as last_round_start
    from members
),

final as (
    select
        with_last_round.member_key,
        with_last_round.child_key,
        with_last_round.as_of_date,
        strftime(with_last_round.as_of_date, '%Y-%m') as as_of_month,
        with_last_round.ward_code,
        with_last_round.snapshot_date,
        with_last_round.birth_date,
        with_last_round.sex,
        with_last_round.residence,
        with_last_round.age_months,
        with_last_round.has_personal_id,
        exists (
            select 1 from cards
            where cards.child_key = with_last_round.child_key
                and with_last_round.as_of_date between cards.valid_from and cards.valid_to
        ) as insured,
        coalesce(registrations.registration_date <= with_last_round.as_of_date, false) as birth_registered,
        coalesce(registrations.registration_date <= with_last_round.as_of_date and registrations.on_time, false)
            as birth_registered_on_time,
        case when doses_due.member_key is not null then doses_due.given = doses_due.due
            when with_last_round.age_months < 24 then true  -- nothing due yet
        end as fully_immunised_for_age,
        case
            when {{ age_in_months('with_last_round.birth_date', 'with_last_round.last_round_start') }}
                between {{ parameter('vitamin_a_min_age_months') }} and {{ parameter('vitamin_a_max_age_months') }} - 1
                then vitamin_doses.child_key is not null
        end as vitamin_a_last_round,
        with_last_round.hcdb_groups,
        with_last_round.is_hcdb,
        case when with_last_round.is_hcdb then exists (
            select 1 from supports
            where supports.child_key = with_last_round.child_key
                and supports.support_date between date_trunc('year', with_last_round.as_of_date)
                and with_last_round.as_of_date
        ) end as supported_this_year
    from with_last_round
    left join registrations on with_last_round.child_key = registrations.child_key
    left join doses_due
        on with_last_round.member_key = doses_due.member_key
        and with_last_round.as_of_date = doses_due.as_of_date
    left join vitamin_rounds on vitamin_rounds.round_start = with_last_round.last_round_start
    left join vitamin_doses
        on with_last_round.child_key = vitamin_doses.child_key
        and vitamin_rounds.round_code = vitamin_doses.round_code
)

select * from final
