-- One row per reporting period. Calendar periods (month, quarter, half-year, year, and the
-- year-to-date window from 1 January to the end of each month) come from dim_date for the years in
-- var('period_years'); report periods come from the seed report_calendar as configured, each with
-- its deadline (the last day the report is on time). period_key is unique across period types.
-- sort_order orders the periods of a year: months 101-112, quarters 201-204, half-years 301-302,
-- the year 401, year-to-date windows 501-512, reports 601... by period end, deadline and code.
{%- set period_years = var('period_years') %}
{%- set quarter_numerals = ['I', 'II', 'III', 'IV'] %}
{%- set month_names_en = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
                          'August', 'September', 'October', 'November', 'December'] %}

with days as (
    select * from {{ ref('int_dates') }}
    where year in ({{ period_years | join(', ') }})
),

reports as (
    select * from {{ ref('report_calendar') }}
),

months as (
    select distinct
        cast(year as integer) as year,
        cast(quarter as integer) as quarter,
        cast(month as integer) as month,
        case when month <= 6 then 1 else 2 end as half,
        month_key,
        cast(month_start as date) as month_start,
        cast(month_end as date) as month_end
    from days
),

months_in_year as (
    select
        months.*,
        cast({{ dbt.date_trunc('year', 'month_start') }} as date) as year_start,
        cast({{ dbt.last_day('month_start', 'year') }} as date) as year_end,
        cast({{ dbt.date_trunc('quarter', 'month_start') }} as date) as quarter_start,
        cast({{ dbt.last_day('month_start', 'quarter') }} as date) as quarter_end,
        case
            {%- for m in range(1, 13) %}
            when month = {{ m }} then '{{ month_names_en[m - 1] }}'
            {%- endfor %}
        end as month_name_en,
        case
            {%- for q in range(1, 5) %}
            when quarter = {{ q }} then '{{ quarter_numerals[q - 1] }}'
            {%- endfor %}
        end as quarter_numeral
    from months
),

calendar_periods as (
    select
        month_key as period_key,
        'month' as period_type,
        month_start as period_start,
        month_end as period_end,
        year,
        'Tháng ' || cast(month as varchar) || '/' || cast(year as varchar) as label_vi,
        month_name_en || ' ' || cast(year as varchar) as label_en,
        100 + month as sort_order
    from months_in_year

    union all

    select distinct
        cast(year as varchar) || '-Q' || cast(quarter as varchar),
        'quarter',
        quarter_start,
        quarter_end,
        year,
        'Quý ' || quarter_numeral || '/' || cast(year as varchar),
        'Q' || cast(quarter as varchar) || ' ' || cast(year as varchar),
        200 + quarter
    from months_in_year

    union all

    select distinct
        cast(year as varchar) || '-H' || cast(half as varchar),
        'half_year',
        cast({{ dbt.dateadd('month', '6 * (half - 1)', 'year_start') }} as date),
        cast({{ dbt.dateadd('day', '-1', dbt.dateadd('month', '6 * half', 'year_start')) }} as date),
        year,
        case when half = 1 then '6 tháng đầu năm ' else '6 tháng cuối năm ' end || cast(year as varchar),
        case when half = 1 then 'First half of ' else 'Second half of ' end || cast(year as varchar),
        300 + half
    from months_in_year

    union all

    select distinct
        cast(year as varchar),
        'year',
        year_start,
        year_end,
        year,
        'Năm ' || cast(year as varchar),
        'Year ' || cast(year as varchar),
        401
    from months_in_year

    union all

    select
        'YTD-' || month_key,
        'ytd',
        year_start,
        month_end,
        year,
        'Lũy kế đến tháng ' || cast(month as varchar) || '/' || cast(year as varchar),
        'Year to date to ' || month_name_en || ' ' || cast(year as varchar),
        500 + month
    from months_in_year
),

report_periods as (
    select
        report_code as period_key,
        'report' as period_type,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(extract(year from period_end) as integer) as year,
        name_vi as label_vi,
        name_en as label_en,
        600 + row_number() over (
            partition by extract(year from period_end)
            order by period_end, deadline, report_code
        ) as sort_order,
        report_kind,
        cast(deadline as date) as deadline
    from reports
),

periods as (
    select
        *,
        cast(null as varchar) as report_kind,
        cast(null as date) as deadline
    from calendar_periods

    union all

    select * from report_periods
),

final as (
    select
        cast(period_key as varchar) as period_key,
        cast(period_type as varchar) as period_type,
        period_start,
        period_end,
        cast(year as integer) as year,
        cast(label_vi as varchar) as label_vi,
        cast(label_en as varchar) as label_en,
        cast(sort_order as integer) as sort_order,
        cast(report_kind as varchar) as report_kind,
        deadline,
        cast({{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 as integer) as days
    from periods
)

select * from final
