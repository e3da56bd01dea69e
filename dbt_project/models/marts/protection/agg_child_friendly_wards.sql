-- Each ward's own child-friendly self-assessment (Quyết định 06/2019/QĐ-TTg), one row per ward ×
-- assessment year: points scored out of the assessed criteria's maximum, criteria assessed, criteria
-- met (marked met and scoring above 0), and whether the ward meets the standard by the rule of the
-- child_friendly_ward indicator (every child_friendly_criteria criterion assessed and met, none scored
-- 0, total at least child_friendly_min_points). A merged ward's old assessment is not today's ward's,
-- as for the indicator. At a period end the indicator (fct_indicator_members_child_friendly) counts the
-- ward's latest row of a year up to it.
with scores as (
    select * from {{ ref('fct_child_friendly_scores') }} where reported_ward_code = ward_code
),

final as (
    select
        ward_code,
        assessment_year,
        cast(sum(score) as bigint) as total_points,
        cast(sum(max_points) as bigint) as max_points,
        count(distinct criterion) as criteria_assessed,
        count(distinct criterion) filter (where met and score > 0) as criteria_met,
        cast({{ parameter('child_friendly_criteria') }} as bigint) as criteria_required,
        count(distinct criterion) = {{ parameter('child_friendly_criteria') }}
            and bool_and(met)
            and min(score) > 0
            and sum(score) >= {{ parameter('child_friendly_min_points') }} as meets_standard
    from scores
    group by ward_code, assessment_year
)

select * from final
