-- The 14 groups of children in special circumstances (Luật Trẻ em 2016, điều 10), keyed by the
-- law's letter (a, b, c, d, đ, e, g, h, i, k, l, m, n, o) as registers write it.
with groups as (
    select * from {{ ref('hcdb_groups') }}
),

final as (
    select
        hcdb_group_code,
        sort_order,
        name_vi,
        name_en,
        is_sensitive
    from groups
)

select * from final
