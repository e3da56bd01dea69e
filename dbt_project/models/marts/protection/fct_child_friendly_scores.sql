-- One row per assessing ward × assessment year × criterion of the child-friendly self-assessment,
-- with the ward as it was (reported_ward_code) and today's ward.
with criteria as (
    select * from {{ ref('stg_child_friendly__criteria') }}
),

wards as (
    {{ today_wards() }}
),

final as (
    select
        wards.current_ward_code as ward_code,
        criteria.ward_code as reported_ward_code,
        criteria.assessment_year,
        criteria.criterion,
        criteria.criterion_text,
        criteria.max_points,
        criteria.score,
        criteria.met,
        criteria.file_id
    from criteria
    left join wards on criteria.ward_code = wards.ward_code
)

select * from final
