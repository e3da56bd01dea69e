-- One row per child protection case (latest report of it when a case appears in several months),
-- with days to intervention and whether that was timely (timely_intervention_days, dates only).
with cases as (
    select * from {{ ref('stg_protection_cases__cases') }}
),

wards as (
    {{ today_wards() }}
),

final as (
    select
        cases.case_id,
        cases.file_id,
        wards.current_ward_code as ward_code,
        cases.child_code,
        cases.age,
        cases.sex,
        cases.abuse_type,
        cases.reported_date,
        cases.intervened_date,
        cases.days_to_intervention,
        coalesce(cases.days_to_intervention <= {{ parameter('timely_intervention_days') }}, false) as timely,
        cases.support_measure,
        cases.case_status
    from cases
    left join wards on cases.ward_code = wards.ward_code
    qualify row_number() over (partition by cases.case_id order by cases.report_period desc, cases.file_id) = 1
)

select * from final
