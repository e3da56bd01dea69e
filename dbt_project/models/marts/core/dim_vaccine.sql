-- The immunisation schedule: one row per schedule item and dose, with the antigens a product must carry
-- for a dose of it to count for the item (and the oldest age it counts at, for the birth dose).
with schedule as (
    select * from {{ ref('vaccine_schedule') }}
),

final as (
    select
        vaccine_code || '-' || cast(dose_number as varchar) as vaccine_dose_key,
        vaccine_code,
        dose_number,
        vaccine_label_vi,
        vaccine_name_vi,
        vaccine_name_en,
        recommended_age_days,
        in_full_immunisation,
        antigens,
        max_age_days
    from schedule
)

select * from final
