-- Doses per ward, month, schedule item and dose number: what the dashboard and reports read
-- (no child-level rows leave the warehouse through this table). A dose counts once for each item it
-- counts as (fct_immunization_schedule_doses): a 6-in-1 dose under DTP-HepB-Hib and under IPV.
with doses as (
    select * from {{ ref('fct_immunization_schedule_doses') }}
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
