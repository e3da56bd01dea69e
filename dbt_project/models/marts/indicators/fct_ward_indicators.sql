-- The indicator mart: one row per org unit (each ward and the district) × period (month, year to
-- date, year) × indicator,
-- with numerator, denominator, value, target and whether the target is met. The district row
-- sums numerators and denominators; it never averages ward percentages.
with doses as (
    select * from {{ ref('agg_immunization_ward_months') }}
),

wards as (
    select * from {{ ref('dim_ward') }} where is_current
),

catalogue as (
    select * from {{ ref('indicators') }}
),

-- every month from January of each year with doses up to the latest month with doses
months as (
    select distinct month_key, month_start, month_end, year
    from {{ ref('dim_date') }}
    where year in (select distinct cast(left(dose_month, 4) as integer) from doses)
        and month_key <= (select max(dose_month) from doses)
),

district as (
    select distinct district_code, district_name from wards
),

ward_months as (
    select wards.ward_code, wards.ward_name, months.*
    from wards cross join months
),

dtp_by_ward_month as (
    select
        ward_months.ward_code,
        ward_months.ward_name,
        ward_months.month_key,
        ward_months.month_start,
        ward_months.month_end,
        ward_months.year,
        coalesce(sum(doses.doses) filter (where doses.dose_number = 1), 0) as dtp1,
        coalesce(sum(doses.doses) filter (where doses.dose_number = 3), 0) as dtp3
    from ward_months
    left join doses
        on ward_months.ward_code = doses.ward_code
        and ward_months.month_key = doses.dose_month
        and doses.vaccine_code = 'DTP_HEPB_HIB'
    group by all
),

ward_rows as (
    select
        ward_code as org_unit_code, ward_name as org_unit_name, 'ward' as org_unit_level,
        'month' as period_type, month_key as period_key, month_start as period_start, month_end as period_end,
        dtp1, dtp3
    from dtp_by_ward_month
    union all
    -- year to date: January to the end of each month (the WHO monitoring chart accumulates doses)
    select
        ward_code, ward_name, 'ward', 'ytd', month_key, make_date(year, 1, 1), month_end,
        sum(dtp1) over ytd, sum(dtp3) over ytd
    from dtp_by_ward_month
    window ytd as (partition by ward_code, year order by month_key)
    union all
    select
        ward_code, ward_name, 'ward', 'year', cast(year as varchar), min(month_start), max(month_end),
        sum(dtp1), sum(dtp3)
    from dtp_by_ward_month
    group by ward_code, ward_name, year
),

district_rows as (
    select
        district.district_code as org_unit_code, 'Quận ' || district.district_name as org_unit_name,
        'district' as org_unit_level, period_type, period_key, period_start, period_end,
        sum(dtp1) as dtp1, sum(dtp3) as dtp3
    from ward_rows cross join district
    group by all
),

dropout as (
    select
        *,
        'dtp_dropout' as indicator_code,
        dtp1 - dtp3 as numerator,
        dtp1 as denominator
    from (select * from ward_rows union all select * from district_rows)
),

final as (
    select
        dropout.org_unit_code,
        dropout.org_unit_name,
        dropout.org_unit_level,
        dropout.period_type,
        dropout.period_key,
        dropout.period_start,
        dropout.period_end,
        dropout.indicator_code,
        cast(dropout.numerator as bigint) as numerator,
        cast(dropout.denominator as bigint) as denominator,
        case when dropout.denominator > 0 then dropout.numerator / dropout.denominator end as value,
        catalogue.target,
        case
            when dropout.denominator = 0 then null
            when catalogue.target_comparison = 'at_most' then dropout.numerator / dropout.denominator <= catalogue.target
            else dropout.numerator / dropout.denominator >= catalogue.target
        end as meets_target
    from dropout
    inner join catalogue on dropout.indicator_code = catalogue.indicator_code
)

select * from final
