-- One row per support given to a child in special circumstances (HCĐB).
with supports as (
    select * from {{ ref('stg_hcdb_support__supports') }}
),

links as (
    {{ child_links('hcdb_support') }}
),

wards as (
    {{ today_wards() }}
),

final as (
    select
        supports.support_id,
        supports.file_id,
        links.child_key,
        wards.current_ward_code as ward_code,
        supports.support_date,
        supports.support_kind,
        supports.amount_vnd,
        supports.funding_source,
        supports.hcdb_groups
    from supports
    left join links on supports.support_id = links.record_id
    left join wards on supports.ward_code = wards.ward_code
)

select * from final
