-- The ward standings the dashboard shows from agg_child_friendly_wards (the ward's latest assessment
-- of a year up to the period's end) say what the child_friendly_ward indicator counts: for every member
-- (int_indicator_child_friendly_members) and every ward figure of it (fct_ward_indicators), the ward is
-- in the numerator exactly when that assessment meets the standard, and a ward without one is not.
{{ config(meta={'dagster': {'ref': {'name': 'agg_child_friendly_wards'}}}) }}

with standings as (
    select * from {{ ref('agg_child_friendly_wards') }}
),

members as (
    select ward_code, as_of_date, member_key, numerator, denominator
    from {{ ref('int_indicator_child_friendly_members') }}
),

figures as (
    select org_unit_code as ward_code, period_end as as_of_date, period_key, numerator, denominator
    from {{ ref('fct_ward_indicators') }}
    where indicator_code = 'child_friendly_ward' and org_unit_level = 'ward' and member_rows > 0
),

checked as (
    select 'member' as kind, ward_code, as_of_date, member_key as what, numerator, denominator from members
    union all
    select 'ward figure', ward_code, as_of_date, period_key, numerator, denominator from figures
),

latest as (
    select checked.*, standings.assessment_year, standings.meets_standard
    from checked
    left join standings
        on standings.ward_code = checked.ward_code and standings.assessment_year <= year(checked.as_of_date)
    qualify row_number() over (
        partition by checked.kind, checked.ward_code, checked.as_of_date, checked.what
        order by standings.assessment_year desc nulls last
    ) = 1
)

select * from latest
where denominator != 1
    or numerator != cast(coalesce(meets_standard, false) as integer)
    or (kind = 'member' and what != ward_code || '-' || coalesce(cast(assessment_year as varchar), 'none'))
