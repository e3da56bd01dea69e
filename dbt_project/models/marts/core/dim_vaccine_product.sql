-- Vaccine products (a brand, or a generic when no brand is written) with the antigens each carries and
-- the schedule items a dose of it can count for (dim_vaccine; HEPB0 only within its maximum age).
with products as (
    select *, regexp_split_to_array(trim(antigens), '\s+') as antigen_list
    from {{ ref('vaccine_products') }}
),

antigens as (
    select * from {{ ref('vaccine_antigens') }}
),

items as (
    select
        vaccine_code,
        min(recommended_age_days) as first_age_days,
        any_value(regexp_split_to_array(trim(antigens), '\s+')) as antigen_list
    from {{ ref('vaccine_schedule') }}
    group by vaccine_code
),

antigen_names as (
    select
        products.product_code,
        string_agg(antigens.antigen_name_vi, ', ' order by list_position(products.antigen_list, antigens.antigen_code))
            as antigen_names_vi,
        string_agg(antigens.antigen_name_en, ', ' order by list_position(products.antigen_list, antigens.antigen_code))
            as antigen_names_en
    from products
    inner join antigens on list_contains(products.antigen_list, antigens.antigen_code)
    group by products.product_code
),

counts_for as (
    select
        products.product_code,
        string_agg(items.vaccine_code, ' ' order by items.first_age_days, items.vaccine_code) as schedule_items
    from products
    inner join items on list_has_all(products.antigen_list, items.antigen_list)
    group by products.product_code
),

final as (
    select
        products.product_code,
        products.product_name,
        products.generic_name_vi,
        products.programme,
        products.antigens,
        antigen_names.antigen_names_vi,
        antigen_names.antigen_names_en,
        coalesce(counts_for.schedule_items, '') as schedule_items
    from products
    left join antigen_names on products.product_code = antigen_names.product_code
    left join counts_for on products.product_code = counts_for.product_code
)

select * from final
