-- The immunisation schedule: one row per vaccine and dose.
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
        in_full_immunisation
    from schedule
)

select * from final
