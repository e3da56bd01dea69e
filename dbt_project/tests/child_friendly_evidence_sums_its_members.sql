-- The figures behind the child-friendly cross-check drill down as the indicators' do: each is the sum
-- of fct_indicator_members' rows of its indicator, ward and year (the query docs/warehouse.md gives).
{{ config(meta={'dagster': {'ref': {'name': 'fct_child_friendly_evidence'}}}) }}

with evidence as (
    select * from {{ ref('fct_child_friendly_evidence') }} where period_key is not null
),

periods as (
    select * from {{ ref('dim_period') }}
),

members as (
    select * from {{ ref('fct_indicator_members') }}
),

sums as (
    select
        evidence.ward_code,
        evidence.assessment_year,
        evidence.criterion,
        evidence.part,
        coalesce(sum(members.numerator), 0) as numerator,
        coalesce(sum(members.denominator), 0) as denominator
    from evidence
    inner join periods on evidence.period_key = periods.period_key
    left join members
        on evidence.indicator_code = members.indicator_code
        and evidence.ward_code = members.ward_code
        and (members.as_of_date is null or members.as_of_date = periods.period_end)
        and (members.event_date is null or members.event_date between periods.period_start and periods.period_end)
        and (members.period_key is null or members.period_key = periods.period_key)
    group by all
)

select evidence.*, sums.numerator as members_numerator, sums.denominator as members_denominator
from evidence
inner join sums
    on evidence.ward_code = sums.ward_code
    and evidence.assessment_year = sums.assessment_year
    and evidence.criterion = sums.criterion
    and evidence.part = sums.part
where evidence.numerator <> sums.numerator
    or (evidence.denominator is not null and evidence.denominator <> sums.denominator)
