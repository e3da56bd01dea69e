-- The child-friendly self-assessment held against the data: one row per ward × assessment year × each
-- of the 13 criteria of child_friendly_criteria, with the ward's own score and the score the
-- warehouse's figures support (fct_child_friendly_evidence, summed over the criterion's parts; null
-- where the criterion has no data in treem or a part has none, and missing_reason says why). verdict:
-- agrees, over_scored (the ward
-- claims more than the data support), under_scored, or no_data (the self-assessed score stands). A
-- criterion missing from the ward's file counts as scored 0.
with scores as (
    select * from {{ ref('fct_child_friendly_scores') }} where reported_ward_code = ward_code
),

criteria as (
    select * from {{ ref('child_friendly_criteria') }}
),

evidence as (
    select * from {{ ref('fct_child_friendly_evidence') }}
),

assessments as (
    select distinct ward_code, assessment_year from scores
),

supported as (
    select
        ward_code,
        assessment_year,
        criterion,
        -- every part must have figures for the criterion to be checked
        case when count(*) = count(points) then sum(points) end as data_score,
        -- why not, when not: the first reason in this order
        case
            when bool_or(missing_reason = 'year_not_complete') then 'year_not_complete'
            when bool_or(missing_reason = 'ward_changed') then 'ward_changed'
            when bool_or(missing_reason = 'files_missing') then 'files_missing'
            when bool_or(missing_reason = 'no_members') then 'no_members'
        end as missing_reason
    from evidence
    group by all
),

final as (
    select
        assessments.ward_code,
        assessments.assessment_year,
        criteria.criterion,
        criteria.name_vi as criterion_name_vi,
        criteria.name_en as criterion_name_en,
        criteria.max_points,
        cast(coalesce(scores.score, 0) as integer) as self_score,
        coalesce(scores.met, false) and coalesce(scores.score, 0) > 0 as self_met,
        supported.criterion is not null as has_rules,
        cast(supported.data_score as integer) as data_score,
        cast(supported.missing_reason as varchar) as missing_reason,
        case
            when supported.data_score is null then 'no_data'
            when coalesce(scores.score, 0) > supported.data_score then 'over_scored'
            when coalesce(scores.score, 0) < supported.data_score then 'under_scored'
            else 'agrees'
        end as verdict,
        cast(coalesce(scores.score, 0) - supported.data_score as integer) as score_difference,
        -- the criterion as the data leave it: checked criteria met when the data give them points
        cast(coalesce(supported.data_score, scores.score, 0) as integer) as score_on_data,
        case
            when supported.data_score is not null then supported.data_score > 0
            else coalesce(scores.met, false) and coalesce(scores.score, 0) > 0
        end as met_on_data
    from assessments
    cross join criteria
    left join scores
        on assessments.ward_code = scores.ward_code
        and assessments.assessment_year = scores.assessment_year
        and criteria.criterion = scores.criterion
    left join supported
        on assessments.ward_code = supported.ward_code
        and assessments.assessment_year = supported.assessment_year
        and criteria.criterion = supported.criterion
)

select * from final
