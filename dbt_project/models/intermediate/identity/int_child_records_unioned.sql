-- Every record that names a child, from every person-level source, with the evidence used to link
-- it: personal ID, folded name, birth date, sex, today's ward, mother's folded name.
-- Protection cases carry only a pseudonymous code and injuries no child at all: they are not linked.
with register as (
    select
        'child_register' as source, record_id, ward_code, child_id, child_name, child_name_folded, birth_date, sex,
        mother_name, mother_name_folded, snapshot_date as record_date
    from {{ ref('stg_child_register__children') }}
),

supports as (
    select
        'hcdb_support', support_id, ward_code, child_id, child_name, child_name_folded, birth_date, sex,
        null, null, support_date
    from {{ ref('stg_hcdb_support__supports') }}
),

immunization as (
    select
        'immunization', dose_id, ward_code, child_id, child_name, child_name_folded, birth_date, sex,
        null, null, dose_date
    from {{ ref('stg_immunization__doses') }}
),

vitamin_a as (
    select
        'vitamin_a', dose_id, ward_code, child_id, child_name, child_name_folded, birth_date, sex,
        null, null, dose_date
    from {{ ref('stg_vitamin_a__doses') }}
),

birth_registration as (
    select
        'birth_registration', registration_id, ward_code, child_id, child_name, child_name_folded, birth_date, sex,
        mother_name, mother_name_folded, registration_date
    from {{ ref('stg_birth_registration__registrations') }}
),

health_insurance as (
    select
        'health_insurance', record_id, ward_code, child_id, child_name, child_name_folded, birth_date, sex,
        null, null, list_date
    from {{ ref('stg_health_insurance__cards') }}
),

today_wards as (
    select distinct ward_code, coalesce(successor_code, ward_code) as current_ward_code
    from {{ ref('wards') }}
),

unioned as (
    select * from register
    union all select * from supports
    union all select * from immunization
    union all select * from vitamin_a
    union all select * from birth_registration
    union all select * from health_insurance
),

final as (
    select
        unioned.source,
        unioned.record_id,
        unioned.child_id,
        unioned.child_name,
        unioned.child_name_folded,
        unioned.birth_date,
        unioned.sex,
        coalesce(today_wards.current_ward_code, unioned.ward_code) as ward_code,
        unioned.mother_name,
        unioned.mother_name_folded,
        unioned.record_date,
        md5(concat_ws('|',
            coalesce(unioned.child_id, ''), coalesce(unioned.child_name_folded, ''),
            coalesce(cast(unioned.birth_date as varchar), ''), coalesce(unioned.sex, ''),
            coalesce(today_wards.current_ward_code, unioned.ward_code, ''), coalesce(unioned.mother_name_folded, '')
        )) as evidence_key
    from unioned
    left join today_wards on unioned.ward_code = today_wards.ward_code
)

select * from final
