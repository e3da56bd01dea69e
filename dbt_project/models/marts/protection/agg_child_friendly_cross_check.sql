-- Per ward × assessment year: the self-assessment's standing (agg_child_friendly_wards) beside the
-- standing the data leave (fct_child_friendly_cross_check's score_on_data and met_on_data: the same
-- rule, every criterion met, none at 0, total at least child_friendly_min_points; none while the
-- assessed year's figures are not complete), the disagreements, and whether the data contradict a ward
-- that recognises itself.
with cross_check as (
    select * from {{ ref('fct_child_friendly_cross_check') }}
),

standing as (
    select * from {{ ref('agg_child_friendly_wards') }}
),

on_data as (
    select
        ward_code,
        assessment_year,
        cast(sum(score_on_data) as bigint) as total_points_on_data,
        count(*) filter (where met_on_data) as criteria_met_on_data,
        count(*) filter (where verdict <> 'no_data') as criteria_checked,
        count(*) filter (where verdict = 'agrees') as criteria_agreeing,
        count(*) filter (where verdict = 'over_scored') as criteria_over_scored,
        count(*) filter (where verdict = 'under_scored') as criteria_under_scored,
        not bool_or(coalesce(missing_reason = 'year_not_complete', false)) as year_complete,
        -- no standing on the data before the year's figures are complete
        case when not bool_or(coalesce(missing_reason = 'year_not_complete', false)) then
            count(*) = {{ parameter('child_friendly_criteria') }}
            and bool_and(met_on_data)
            and sum(score_on_data) >= {{ parameter('child_friendly_min_points') }}
        end as meets_standard_on_data
    from cross_check
    group by all
),

final as (
    select
        standing.ward_code,
        standing.assessment_year,
        standing.total_points,
        standing.meets_standard,
        on_data.total_points_on_data,
        on_data.criteria_met_on_data,
        on_data.criteria_checked,
        on_data.criteria_agreeing,
        on_data.criteria_over_scored,
        on_data.criteria_under_scored,
        on_data.criteria_over_scored + on_data.criteria_under_scored as criteria_disagreeing,
        on_data.year_complete,
        on_data.meets_standard_on_data,
        standing.meets_standard and not on_data.meets_standard_on_data as contradicted
    from standing
    inner join on_data
        on standing.ward_code = on_data.ward_code
        and standing.assessment_year = on_data.assessment_year
)

select * from final
