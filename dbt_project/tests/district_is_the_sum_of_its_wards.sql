-- The district row of each indicator and period carries the sum of its wards' numerators and
-- denominators (never an average of ward percentages). A failure stops the publish: the dashboard
-- keeps the last good serving copy.
{{ config(meta={'dagster': {'ref': {'name': 'fct_ward_indicators'}}}) }}

with wards as (
    select period_type, period_key, indicator_code, sum(numerator) as numerator, sum(denominator) as denominator
    from {{ ref('fct_ward_indicators') }}
    where org_unit_level = 'ward'
    group by all
),

district as (
    select period_type, period_key, indicator_code, numerator, denominator
    from {{ ref('fct_ward_indicators') }}
    where org_unit_level = 'district'
)

select
    period_type,
    period_key,
    indicator_code,
    district.numerator as district_numerator,
    wards.numerator as wards_numerator,
    district.denominator as district_denominator,
    wards.denominator as wards_denominator
from wards
full join district using (period_type, period_key, indicator_code)
where district.numerator is distinct from wards.numerator
    or district.denominator is distinct from wards.denominator
