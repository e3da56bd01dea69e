-- The monthly counts that reports add up over a period's months give the indicator mart's own figures,
-- for every ward and every period that starts and ends on a month's edges: protection cases received
-- and intervened in time (abuse_timely_intervention) and injury deaths, with 2024's as the baseline.
{{ config(meta={'dagster': {'ref': {'name': 'agg_protection_ward_months'}}}) }}

with indicators as (
    select * from {{ ref('fct_ward_indicators') }}
    where org_unit_level = 'ward' and indicator_code in ('abuse_timely_intervention', 'injury_deaths')
),

cases as (
    select
        indicators.org_unit_code,
        indicators.period_key,
        coalesce(sum(agg.cases), 0) as cases,
        coalesce(sum(agg.cases_timely), 0) as cases_timely
    from indicators
    left join {{ ref('agg_protection_ward_months') }} as agg
        on agg.ward_code = indicators.org_unit_code
        and agg.month_start between indicators.period_start and indicators.period_end
    where indicators.indicator_code = 'abuse_timely_intervention'
    group by all
),

deaths as (
    select
        indicators.org_unit_code,
        indicators.period_key,
        coalesce(sum(agg.deaths) filter (where agg.month_start between indicators.period_start and indicators.period_end), 0)
            as deaths,
        coalesce(sum(agg.deaths) filter (
            where agg.month_start between indicators.period_start - interval 1 year and indicators.period_end - interval 1 year
        ), 0) as baseline_deaths
    from indicators
    left join {{ ref('agg_injury_ward_months') }} as agg on agg.ward_code = indicators.org_unit_code
    where indicators.indicator_code = 'injury_deaths'
    group by all
)

select indicators.org_unit_code, indicators.period_key, indicators.indicator_code,
       indicators.numerator, indicators.denominator, indicators.baseline,
       cases.cases, cases.cases_timely, deaths.deaths, deaths.baseline_deaths
from indicators
left join cases using (org_unit_code, period_key)
left join deaths using (org_unit_code, period_key)
where (indicators.indicator_code = 'abuse_timely_intervention'
        and (indicators.numerator != cases.cases_timely or indicators.denominator != cases.cases))
    or (indicators.indicator_code = 'injury_deaths'
        and (indicators.numerator != deaths.deaths
             or (year(indicators.period_start) = {{ parameter('injury_baseline_year') }} + 1
                 and indicators.baseline != deaths.baseline_deaths)))
