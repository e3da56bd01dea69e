-- How many children each cross-source check lists per ward on the last reported day, for the
-- dashboard: counts only (the children themselves are in restricted.child_reconciliation). Every ward
-- of today × every check has a row, 0 when nothing is listed.
with reconciliation as (
    select * from {{ ref('child_reconciliation') }}
),

checks as (
    select * from {{ ref('reconciliation_checks') }}
),

today_wards as (
    {{ today_wards() }}
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

as_of as (
    select max(period_end) as as_of_date from periods where period_type = 'month'
),

wards as (
    select distinct current_ward_code as ward_code from today_wards
),

counts as (
    select
        ward_code,
        check_code,
        count(distinct member_key) as children,
        count(*) as rows_listed
    from reconciliation
    group by ward_code, check_code
),

final as (
    select
        as_of.as_of_date,
        wards.ward_code,
        checks.check_code,
        checks.sort_order as check_sort_order,
        checks.name_vi as check_name_vi,
        checks.name_en as check_name_en,
        checks.description_vi as check_description_vi,
        checks.description_en as check_description_en,
        coalesce(counts.children, 0) as children,
        coalesce(counts.rows_listed, 0) as rows_listed
    from wards
    cross join checks
    cross join as_of
    left join counts
        on wards.ward_code = counts.ward_code
        and checks.check_code = counts.check_code
)

select * from final
