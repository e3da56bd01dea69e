-- The warehouse's side of the child-friendly self-assessment: one row per ward × assessment year ×
-- criterion part of child_friendly_rules, with the figures of the assessed calendar year behind it (the
-- ward's year row of fct_ward_indicators, so the figures are the indicators' own and drill down to
-- fct_indicator_members the same way) and the points they support. A share without a denominator
-- scores its no_members band if it has one; a part without figures (no band for an empty share, or a
-- year not complete yet) has no points: no data.
with assessments as (
    select distinct ward_code, assessment_year
    from {{ ref('fct_child_friendly_scores') }}
    where reported_ward_code = ward_code
),

rules as (
    select * from {{ ref('child_friendly_rules') }}
),

parts as (
    select distinct criterion, part, indicator_code from rules
),

catalogue as (
    select indicator_code, unit from {{ ref('dim_indicator') }}
),

years as (
    select
        org_unit_code as ward_code,
        year(period_end) as year,
        period_key,
        indicator_code,
        numerator,
        -- a count's denominator is null in the mart; a share's may be 0
        denominator,
        value
    from {{ ref('fct_ward_indicators') }}
    where period_type = 'year' and org_unit_level = 'ward'
),

figures as (
    select
        assessments.ward_code,
        assessments.assessment_year,
        parts.criterion,
        parts.part,
        parts.indicator_code,
        catalogue.unit,
        years.period_key,
        years.numerator,
        years.denominator,
        years.value
    from assessments
    cross join parts
    inner join catalogue on parts.indicator_code = catalogue.indicator_code
    left join years
        on assessments.ward_code = years.ward_code
        and assessments.assessment_year = years.year
        and parts.indicator_code = years.indicator_code
),

-- each band the figure reaches (a share compared exactly: numerator against threshold × denominator)
reached as (
    select
        figures.ward_code,
        figures.assessment_year,
        figures.criterion,
        figures.part,
        rules.points,
        rules.comparison
    from figures
    inner join rules
        on figures.criterion = rules.criterion
        and figures.part = rules.part
    where figures.period_key is not null
        and case
            when rules.comparison = 'no_members' then figures.unit = 'percent' and coalesce(figures.denominator, 0) = 0
            when figures.unit = 'count' and rules.comparison = 'at_least' then figures.numerator >= rules.threshold
            when figures.unit = 'count' and rules.comparison = 'at_most' then figures.numerator <= rules.threshold
            when figures.denominator > 0 and rules.comparison = 'at_least'
                then figures.numerator >= rules.threshold * figures.denominator
            when figures.denominator > 0 and rules.comparison = 'at_most'
                then figures.numerator <= rules.threshold * figures.denominator
            else false
        end
),

best as (
    select ward_code, assessment_year, criterion, part, max(points) as points
    from reached
    group by all
),

final as (
    select
        figures.ward_code,
        figures.assessment_year,
        figures.criterion,
        figures.part,
        figures.indicator_code,
        figures.period_key,
        figures.numerator,
        figures.denominator,
        figures.value,
        cast(case
            when figures.period_key is null then null
            when best.points is not null then best.points
            -- an empty share without its own band: no data; a figure that reaches no band: 0
            when figures.unit = 'percent' and coalesce(figures.denominator, 0) = 0 then null
            else 0
        end as integer) as points
    from figures
    left join best
        on figures.ward_code = best.ward_code
        and figures.assessment_year = best.assessment_year
        and figures.criterion = best.criterion
        and figures.part = best.part
)

select * from final
