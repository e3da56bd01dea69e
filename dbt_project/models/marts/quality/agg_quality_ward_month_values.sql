-- The data elements the validation rules and the outlier scores read: one row per today's ward ×
-- month of int_reporting_periods × element that has a value there (a count of 0 is a value only
-- where the source says so: a register snapshot, an indicator with members). Elements:
--   children_dosed.<vaccine>.<dose>  children with that dose on or before the month's end (cumulative)
--   doses_given.<vaccine>.<dose>, doses_given, birth_registrations, births_registered_born_in_month,
--   (<vaccine>.<dose>: a schedule item and dose of fct_immunization_schedule_doses, on the child's
--   antigen history; doses_given alone counts dose records, a 6-in-1 dose once)
--   bhyt_cards_issued, hcdb_supports, protection_cases, injury_events: records dated in the month
--   register_births, children_under6, bhyt_valid_cards: stocks (see their CTEs)
--   ind.<indicator>.numerator / .denominator: the ward's month row of fct_ward_indicators
--   child_friendly.self.<criterion> / child_friendly.data.<criterion>: a criterion's self-assessed and
--   data-supported points (fct_child_friendly_cross_check, criteria with data), on December of the
--   assessed year
with periods as (
    select period_key, period_start, period_end from {{ ref('int_reporting_periods') }}
    where period_type = 'month'
),

doses as (
    select * from {{ ref('fct_immunization_schedule_doses') }}
),

-- the dose records, one row per dose given whatever it counts for
dose_records as (
    select * from {{ ref('fct_immunization_doses') }}
),

registrations as (
    select * from {{ ref('fct_birth_registrations') }} where ward_code is not null
),

cards as (
    select * from {{ ref('fct_health_insurance_cards') }} where ward_code is not null
),

register as (
    select * from {{ ref('int_register_members') }}
),

child_status as (
    select * from {{ ref('fct_child_status') }}
),

supports as (
    select * from {{ ref('fct_hcdb_support') }} where ward_code is not null
),

cases as (
    select * from {{ ref('fct_protection_cases') }} where ward_code is not null
),

injuries as (
    select * from {{ ref('fct_injury_events') }} where ward_code is not null
),

indicators as (
    select * from {{ ref('fct_ward_indicators') }}
    where org_unit_level = 'ward' and period_type = 'month'
),

-- a child born before the ward's immunisation data starts may have had dose 1 before it, so that
-- "dose 3 only after dose 1" would fail on the first months for no fault: only children born since
-- the first month of the ward's doses are counted
immunisation_start as (
    select ward_code, cast(date_trunc('month', min(dose_date)) as date) as first_day
    from dose_records
    group by ward_code
),

first_doses as (
    select doses.ward_code, doses.vaccine_code, doses.dose_number, doses.child_key, min(doses.dose_date) as dose_date
    from doses
    inner join immunisation_start on doses.ward_code = immunisation_start.ward_code
    where doses.child_key is not null and doses.birth_date >= immunisation_start.first_day
    group by all
),

children_dosed as (
    select
        first_doses.ward_code,
        periods.period_key,
        'children_dosed.' || first_doses.vaccine_code || '.' || cast(first_doses.dose_number as varchar) as element_code,
        count(distinct first_doses.child_key) as value
    from first_doses
    inner join periods on first_doses.dose_date <= periods.period_end
    group by all
),

doses_given as (
    select
        ward_code,
        dose_month as period_key,
        'doses_given.' || vaccine_code || '.' || cast(dose_number as varchar) as element_code,
        count(*) as value
    from doses
    group by all

    union all

    select ward_code, dose_month, 'doses_given', count(*)
    from dose_records
    group by all
),

dated_counts as (
    select ward_code, strftime(registration_date, '%Y-%m') as period_key, 'birth_registrations' as element_code, count(*) as value
    from registrations
    group by all

    union all

    select ward_code, strftime(birth_date, '%Y-%m'), 'births_registered_born_in_month', count(*)
    from registrations
    group by all

    -- a card without an issue date is counted in the month of the first list that held it
    union all

    select ward_code, strftime(coalesce(issue_date, first_listed), '%Y-%m'), 'bhyt_cards_issued', count(*)
    from cards
    group by all

    union all

    select ward_code, strftime(support_date, '%Y-%m'), 'hcdb_supports', count(*)
    from supports
    group by all

    union all

    select ward_code, strftime(reported_date, '%Y-%m'), 'protection_cases', count(*)
    from cases
    group by all

    union all

    select ward_code, strftime(injury_date, '%Y-%m'), 'injury_events', count(*)
    from injuries
    group by all
),

-- children born in the month on the register: the ward's first snapshot dated on or after the
-- month's end is the first that can list them all (with quarterly registers, the latest snapshot up
-- to the month's end predates most of the month's births). No snapshot yet: no value.
register_snapshots as (
    select distinct ward_code, snapshot_date, member_key, birth_date from register
),

snapshot_dates as (
    select distinct ward_code, snapshot_date from register
),

first_snapshot_after as (
    select periods.period_key, periods.period_start, periods.period_end, snapshot_dates.ward_code,
        min(snapshot_dates.snapshot_date) as snapshot_date
    from periods
    inner join snapshot_dates on snapshot_dates.snapshot_date >= periods.period_end
    group by all
),

register_births as (
    select
        first_snapshot_after.ward_code,
        first_snapshot_after.period_key,
        'register_births' as element_code,
        count(register_snapshots.member_key) as value
    from first_snapshot_after
    left join register_snapshots
        on first_snapshot_after.ward_code = register_snapshots.ward_code
        and first_snapshot_after.snapshot_date = register_snapshots.snapshot_date
        and register_snapshots.birth_date between first_snapshot_after.period_start and first_snapshot_after.period_end
    group by all
),

-- register children under 6 at the month's end (the latest snapshot up to it); no snapshot: no value
children_under6 as (
    select
        child_status.ward_code,
        periods.period_key,
        'children_under6' as element_code,
        count(*) filter (where child_status.age_months < {{ parameter('under6_age_months') }}) as value
    from child_status
    inner join periods on child_status.as_of_date = periods.period_end
    group by all
),

-- cards valid at the month's end, under the card's ward; only from the month of the first BHYT list:
-- a card that expired before it was never listed, so earlier months would be undercounted
bhyt_valid_cards as (
    select cards.ward_code, periods.period_key, 'bhyt_valid_cards' as element_code, count(*) as value
    from cards
    inner join periods on periods.period_end between cards.valid_from and cards.valid_to
    where periods.period_end >= (select min(first_listed) from cards)
    group by all
),

-- the indicator figures behind each ward's month; a figure with no member rows has no value
indicator_figures as (
    select org_unit_code as ward_code, period_key, 'ind.' || indicator_code || '.numerator' as element_code,
        numerator as value
    from indicators
    where member_rows > 0

    union all

    select org_unit_code, period_key, 'ind.' || indicator_code || '.denominator', denominator
    from indicators
    where member_rows > 0 and denominator is not null
),

-- the self-assessment beside the data, for the criteria the data can check
child_friendly_points as (
    select cross_check.ward_code, periods.period_key,
        'child_friendly.self.' || cast(cross_check.criterion as varchar) as element_code,
        cross_check.self_score as value
    from {{ ref('fct_child_friendly_cross_check') }} as cross_check
    inner join periods on periods.period_end = make_date(cross_check.assessment_year, 12, 31)
    where cross_check.has_rules

    union all

    select cross_check.ward_code, periods.period_key,
        'child_friendly.data.' || cast(cross_check.criterion as varchar),
        cross_check.data_score
    from {{ ref('fct_child_friendly_cross_check') }} as cross_check
    inner join periods on periods.period_end = make_date(cross_check.assessment_year, 12, 31)
    where cross_check.data_score is not null
),

unioned as (
    select * from children_dosed
    union all
    select * from doses_given
    union all
    select * from dated_counts
    union all
    select * from register_births
    union all
    select * from children_under6
    union all
    select * from bhyt_valid_cards
    union all
    select * from indicator_figures
    union all
    select * from child_friendly_points
),

final as (
    select
        cast(unioned.ward_code as varchar) as ward_code,
        cast(unioned.period_key as varchar) as period_key,
        cast(unioned.element_code as varchar) as element_code,
        cast(unioned.value as double) as value
    from unioned
    -- only the reporting months: the event counts are grouped by any date they carry
    inner join periods on unioned.period_key = periods.period_key
)

select * from final
