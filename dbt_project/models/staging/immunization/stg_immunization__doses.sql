-- Vaccine doses from the current version of each ward-month extract: ingestion marks a file as
-- superseded_by the correction loaded later for the same ward and period (raw keeps both).
-- raw.immunization.vaccine_code holds the product ingestion resolved the vaccine cell to (seed
-- vaccine_products); a row loaded before products existed holds a schedule code, which the aliases
-- map (HEPB0 -> HEPB, DTP_BOOSTER -> DTP; BCG, OPV, DTP_HEPB_HIB... are product codes too). A code
-- neither knows is kept as written: the blocking Great Expectations check names it.
with doses as (
    select * from {{ source('raw', 'immunization') }}
),

files as (
    {{ current_files('immunization') }}
),

products as (
    select product_code from {{ ref('vaccine_products') }}
),

aliases as (
    select alias, product_code from {{ ref('vaccine_aliases') }}
),

final as (
    select
        {{ record_id('doses') }} as dose_id,
        doses.file_id,
        doses.source_row,
        files.report_period,
        files.file_ward_code as reporting_ward_code,
        files.file_received_at,
        {{ child_columns('doses') }},
        doses.ward_code,
        coalesce(products.product_code, aliases.product_code, doses.vaccine_code) as product_code,
        doses.dose_number,
        doses.dose_date,
        doses.facility
    from doses
    inner join files on doses.file_id = files.file_id
    left join products on doses.vaccine_code = products.product_code
    left join aliases on doses.vaccine_code = aliases.alias
)

select * from final
