-- Doses per ward, month, vaccine and dose number: what the dashboard and reports read
-- (no child-level rows leave the warehouse through this table).
with doses as (
    select * from {{ ref('fct_immunization_doses') }}
),

final as (
    select
        ward_code,
        dose_month,
        vaccine_code,
        dose_number,
        count(*) as doses
    from doses
    group by ward_code, dose_month, vaccine_code, dose_number
)

select * from final
