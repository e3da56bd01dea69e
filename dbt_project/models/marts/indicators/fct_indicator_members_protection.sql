-- Members of the protection indicators.
--   abuse_timely_intervention  cases reported in the period; numerator: intervened in time
--   injury_deaths              fatal injury events in the period (numerator); the baseline year's
--                              fatal events, moved one year on, give the target's baseline
with cases as (
    select * from {{ ref('fct_protection_cases') }}
),

events as (
    select * from {{ ref('fct_injury_events') }} where fatal
),

final as (
    select
        'abuse_timely_intervention' as indicator_code, ward_code, cast(null as date) as as_of_date,
        reported_date as event_date, case_id as member_key,
        cast(timely as integer) as numerator, 1 as denominator, 0 as baseline
    from cases

    union all

    select 'injury_deaths', ward_code, null, injury_date, event_id, 1, 0, 0
    from events

    union all

    select 'injury_deaths', ward_code, null, cast(injury_date + interval 1 year as date), event_id, 0, 0, 1
    from events
    where year(injury_date) = {{ parameter('injury_baseline_year') }}
)

select * from final
