-- Children in special circumstances (HCĐB) per ward × group on each day of the child status
-- snapshot (every period end), for the dashboard and reports: counts only (the children are in
-- marts.fct_child_status). A child in two groups counts in each; every ward of today × every group ×
-- every day has a row, 0 when none.
with status as (
    select * from {{ ref('fct_child_status') }}
),

groups as (
    select * from {{ ref('dim_hcdb_group') }}
),

today_wards as (
    {{ today_wards() }}
),

as_of as (
    select distinct as_of_date from status
),

wards as (
    select distinct current_ward_code as ward_code from today_wards
),

memberships as (
    select
        status.as_of_date,
        status.ward_code,
        trim(unnest(string_split(status.hcdb_groups, ';'))) as hcdb_group_code,
        status.member_key,
        status.supported_this_year
    from status
    where status.is_hcdb
),

counts as (
    select
        as_of_date,
        ward_code,
        hcdb_group_code,
        count(distinct member_key) as children,
        count(distinct member_key) filter (where supported_this_year) as children_supported
    from memberships
    group by as_of_date, ward_code, hcdb_group_code
),

final as (
    select
        as_of.as_of_date,
        wards.ward_code,
        groups.hcdb_group_code,
        groups.sort_order as group_sort_order,
        groups.name_vi as group_name_vi,
        groups.name_en as group_name_en,
        coalesce(counts.children, 0) as children,
        coalesce(counts.children_supported, 0) as children_supported
    from wards
    cross join groups
    cross join as_of
    left join counts
        on as_of.as_of_date = counts.as_of_date
        and wards.ward_code = counts.ward_code
        and groups.hcdb_group_code = counts.hcdb_group_code
)

select * from final
