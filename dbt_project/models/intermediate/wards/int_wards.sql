-- Ward versions with validity dates; current_ward_code maps a pre-2025 ward to its successor,
-- so facts keyed by any version roll up to the 15 wards of today. The district is the parent.
with wards as (
    select * from {{ ref('wards') }}
),

final as (
    select
        ward_version_id,
        ward_code,
        ward_name,
        valid_from,
        valid_to,
        coalesce(successor_code, ward_code) as current_ward_code,
        valid_to >= date '9999-12-31' as is_current,
        district_code,
        district_name,
        province_code
    from wards
)

select * from final
