-- Protection cases per today's ward × month received × abuse type, and how many were intervened in
-- time: counts only, for reports and the dashboard (the cases are in fct_protection_cases). Summed
-- over the months of a period they equal the abuse_timely_intervention indicator's figures.
with cases as (
    select * from {{ ref('fct_protection_cases') }}
),

categories as (
    select * from {{ ref('protection_categories') }} where category = 'abuse_type'
),

counts as (
    select
        ward_code,
        cast(date_trunc('month', reported_date) as date) as month_start,
        abuse_type,
        count(*) as cases,
        count(*) filter (where timely) as cases_timely
    from cases
    group by all
),

final as (
    select
        counts.ward_code,
        counts.month_start,
        counts.abuse_type,
        categories.sort_order as abuse_type_sort_order,
        categories.name_vi as abuse_type_name_vi,
        categories.name_en as abuse_type_name_en,
        counts.cases,
        counts.cases_timely
    from counts
    left join categories on counts.abuse_type = categories.code
)

select * from final
