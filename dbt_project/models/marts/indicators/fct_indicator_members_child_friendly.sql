-- Members of child_friendly_ward: at each period end E at which any ward has a self-assessment of a
-- year up to E's year, every ward of today with its latest such standing (agg_child_friendly_wards,
-- where the standard's rule is); numerator: the ward meets the standard. A ward without an assessment
-- counts as not meeting it: the plan's target is a share of all wards.
with standings as (
    select ward_code, assessment_year, meets_standard from {{ ref('agg_child_friendly_wards') }}
),

wards as (
    select ward_code from {{ ref('dim_ward') }} where is_current
),

period_ends as (
    select distinct period_end as as_of_date from {{ ref('int_reporting_periods') }}
),

latest as (
    select period_ends.as_of_date, standings.*
    from period_ends
    inner join standings on standings.assessment_year <= year(period_ends.as_of_date)
    qualify row_number() over (
        partition by standings.ward_code, period_ends.as_of_date order by standings.assessment_year desc
    ) = 1
),

final as (
    select
        'child_friendly_ward' as indicator_code,
        wards.ward_code,
        period_ends.as_of_date,
        cast(null as date) as event_date,
        coalesce(latest.ward_code || '-' || cast(latest.assessment_year as varchar), wards.ward_code || '-none')
            as member_key,
        cast(coalesce(latest.meets_standard, false) as integer) as numerator,
        1 as denominator,
        0 as baseline
    from period_ends
    cross join wards
    left join latest on latest.as_of_date = period_ends.as_of_date and latest.ward_code = wards.ward_code
    where period_ends.as_of_date in (select as_of_date from latest)
)

select * from final
