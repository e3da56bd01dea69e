-- The indicator mart: one row per org unit (each of today's wards, and the district) × reporting
-- period × indicator, with numerator, denominator, value, target and whether the target is met.
-- The figures are sums over fct_indicator_members; the district row sums the wards' numerators and
-- denominators (it never averages ward percentages). A percent with no denominator has no value.
with members as (
    select * from {{ ref('fct_indicator_members') }}
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

wards as (
    select * from {{ ref('dim_ward') }} where is_current
),

catalogue as (
    select * from {{ ref('dim_indicator') }}
),

ward_sums as (
    select
        members.indicator_code,
        members.ward_code,
        periods.period_key,
        sum(members.numerator) as numerator,
        sum(members.denominator) as denominator,
        sum(members.baseline) as baseline,
        count(*) as member_rows
    from members
    inner join periods
        on (members.as_of_date is null or members.as_of_date = periods.period_end)
        and (members.event_date is null or members.event_date between periods.period_start and periods.period_end)
        and (members.period_key is null or members.period_key = periods.period_key)
    group by all
),

grid as (
    select
        wards.ward_code as org_unit_code,
        wards.ward_name as org_unit_name,
        'ward' as org_unit_level,
        periods.*,
        catalogue.indicator_code
    from wards
    cross join periods
    cross join catalogue
),

ward_rows as (
    select
        grid.*,
        coalesce(ward_sums.numerator, 0) as numerator,
        coalesce(ward_sums.denominator, 0) as denominator,
        coalesce(ward_sums.baseline, 0) as baseline,
        coalesce(ward_sums.member_rows, 0) as member_rows
    from grid
    left join ward_sums
        on grid.org_unit_code = ward_sums.ward_code
        and grid.period_key = ward_sums.period_key
        and grid.indicator_code = ward_sums.indicator_code
),

district_rows as (
    select
        wards.district_code as org_unit_code,
        'Quận ' || wards.district_name as org_unit_name,
        'district' as org_unit_level,
        ward_rows.* exclude (org_unit_code, org_unit_name, org_unit_level, numerator, denominator, baseline, member_rows),
        sum(ward_rows.numerator) as numerator,
        sum(ward_rows.denominator) as denominator,
        sum(ward_rows.baseline) as baseline,
        sum(ward_rows.member_rows) as member_rows
    from ward_rows
    inner join wards on ward_rows.org_unit_code = wards.ward_code
    group by all
),

org_rows as (
    select * from ward_rows
    union all by name
    select * from district_rows
),

valued as (
    select
        org_rows.*,
        catalogue.unit,
        catalogue.target_comparison,
        case
            when catalogue.unit = 'count' then cast(org_rows.numerator as double)
            when org_rows.denominator > 0 then org_rows.numerator / org_rows.denominator
        end as value,
        case
            when catalogue.target_comparison = 'at_most_share_of_baseline'
                then case when org_rows.year = {{ parameter('injury_baseline_year') }} + 1
                    then catalogue.target * org_rows.baseline end
            else catalogue.target
        end as target
    from org_rows
    inner join catalogue on org_rows.indicator_code = catalogue.indicator_code
),

final as (
    select
        org_unit_code,
        org_unit_name,
        org_unit_level,
        period_key,
        period_type,
        period_start,
        period_end,
        indicator_code,
        cast(numerator as bigint) as numerator,
        cast(case when unit = 'count' then null else denominator end as bigint) as denominator,
        value,
        target,
        case
            when value is null or target is null then null
            when target_comparison in ('at_most', 'at_most_share_of_baseline') then value <= target
            when target_comparison = 'at_least' then value >= target
        end as meets_target,
        cast(case when target_comparison = 'at_most_share_of_baseline' then baseline end as bigint) as baseline,
        cast(member_rows as bigint) as member_rows
    from valued
)

select * from final
