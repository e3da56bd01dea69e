-- The indicator catalogue (seed indicators) as a dimension: one row per indicator.
with catalogue as (
    select * from {{ ref('indicators') }}
),

final as (
    select
        indicator_code,
        name_vi,
        name_en,
        unit,
        unit = 'percent' as is_percent,
        direction,
        target,
        target_comparison,
        target_source,
        owner_sector,
        measure,
        numerator_vi,
        denominator_vi,
        definition_vi,
        definition_en
    from catalogue
)

select * from final
