-- Members of child_friendly_ward: at each period end E, each ward with a self-assessment of a year up
-- to E's year (the latest one); numerator: the ward meets the standard (every criterion met, none
-- scored 0, total at least child_friendly_min_points).
with scores as (
    select * from {{ ref('fct_child_friendly_scores') }}
),

period_ends as (
    select distinct period_end as as_of_date from {{ ref('int_reporting_periods') }}
),

min_points as (
    select value as points from {{ ref('indicator_parameters') }} where parameter = 'child_friendly_min_points'
),

assessments as (
    select
        ward_code,
        assessment_year,
        bool_and(met) and min(score) > 0 and sum(score) >= (select points from min_points) as meets_standard
    from scores
    group by ward_code, assessment_year
),

final as (
    select
        'child_friendly_ward' as indicator_code,
        assessments.ward_code,
        period_ends.as_of_date,
        cast(null as date) as event_date,
        assessments.ward_code || '-' || cast(assessments.assessment_year as varchar) as member_key,
        cast(assessments.meets_standard as integer) as numerator,
        1 as denominator,
        0 as baseline
    from period_ends
    inner join assessments on assessments.assessment_year <= year(period_ends.as_of_date)
    qualify row_number() over (
        partition by assessments.ward_code, period_ends.as_of_date order by assessments.assessment_year desc
    ) = 1
)

select * from final
