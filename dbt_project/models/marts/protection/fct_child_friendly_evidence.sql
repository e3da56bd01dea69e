-- The warehouse's side of the child-friendly self-assessment: one row per ward × assessment year ×
-- criterion part of child_friendly_rules, with the figures of the assessed calendar year behind it (the
-- ward's year row of fct_ward_indicators, so the figures are the indicators' own and drill down to
-- fct_indicator_members the same way) and the points they support. A part has no points (no data), and
-- says why, when the year is not complete, when the ward's extracts of the figure's sources for the year
-- are not all loaded (a missing file is not "no case"), when today's ward took its present bounds after
-- the year began (a merger: its figures hold wards the assessment did not), or when its share has no
-- denominator and no band for that.
with assessments as (
    select distinct ward_code, assessment_year
    from {{ ref('fct_child_friendly_scores') }}
    where reported_ward_code = ward_code
),

rules as (
    select * from {{ ref('child_friendly_rules') }}
),

parts as (
    select distinct criterion, part, indicator_code, sources from rules
),

-- 'immunization@-1': the year before's extracts too (doses before a first birthday fall in it)
source_entries as (
    select distinct criterion, part, trim(unnest(string_split(sources, ';'))) as entry from parts
),

part_sources as (
    select
        criterion,
        part,
        split_part(entry, '@', 1) as source,
        coalesce(try_cast(nullif(split_part(entry, '@', 2), '') as integer), 0) as year_offset
    from source_entries
),

catalogue as (
    select indicator_code, unit from {{ ref('dim_indicator') }}
),

wards as (
    select ward_code, valid_from from {{ ref('dim_ward') }} where is_current
),

-- per ward, source and year: every extract owed for a period ending in the year is loaded
loaded_years as (
    select org_unit_code as ward_code, source, year(period_end) as year, bool_and(received) as all_loaded
    from {{ ref('fct_report_submissions') }}
    where org_unit_level = 'ward'
    group by all
),

-- per ward, year and part: every source of the part loaded in full
complete_parts as (
    select
        assessments.ward_code,
        assessments.assessment_year,
        part_sources.criterion,
        part_sources.part,
        -- nothing owed in the assessed year is no data; nothing owed in a year before (before the
        -- calendar began) cannot be checked, and is not held against the year
        bool_and(coalesce(loaded_years.all_loaded, part_sources.year_offset < 0)) as all_loaded
    from assessments
    cross join part_sources
    left join loaded_years
        on assessments.ward_code = loaded_years.ward_code
        and part_sources.source = loaded_years.source
        and assessments.assessment_year + part_sources.year_offset = loaded_years.year
    group by all
),

years as (
    select
        org_unit_code as ward_code,
        year(period_end) as year,
        period_key,
        indicator_code,
        numerator,
        -- a count's denominator is null in the mart; a share's may be 0
        denominator,
        value
    from {{ ref('fct_ward_indicators') }}
    where period_type = 'year' and org_unit_level = 'ward'
),

figures as (
    select
        assessments.ward_code,
        assessments.assessment_year,
        parts.criterion,
        parts.part,
        parts.indicator_code,
        catalogue.unit,
        years.period_key,
        years.numerator,
        years.denominator,
        years.value,
        case
            when years.period_key is null then 'year_not_complete'
            when make_date(assessments.assessment_year, 1, 1) < wards.valid_from then 'ward_changed'
            when not complete_parts.all_loaded then 'files_missing'
        end as missing_reason
    from assessments
    cross join parts
    inner join catalogue on parts.indicator_code = catalogue.indicator_code
    inner join wards on assessments.ward_code = wards.ward_code
    inner join complete_parts
        on assessments.ward_code = complete_parts.ward_code
        and assessments.assessment_year = complete_parts.assessment_year
        and parts.criterion = complete_parts.criterion
        and parts.part = complete_parts.part
    left join years
        on assessments.ward_code = years.ward_code
        and assessments.assessment_year = years.year
        and parts.indicator_code = years.indicator_code
),

-- each band the figure reaches (a share compared exactly: numerator against threshold × denominator)
reached as (
    select
        figures.ward_code,
        figures.assessment_year,
        figures.criterion,
        figures.part,
        rules.points
    from figures
    inner join rules
        on figures.criterion = rules.criterion
        and figures.part = rules.part
    where figures.missing_reason is null
        and case
            when rules.comparison = 'no_members' then figures.unit = 'percent' and coalesce(figures.denominator, 0) = 0
            when figures.unit = 'count' and rules.comparison = 'at_least' then figures.numerator >= rules.threshold
            when figures.unit = 'count' and rules.comparison = 'at_most' then figures.numerator <= rules.threshold
            when figures.denominator > 0 and rules.comparison = 'at_least'
                then figures.numerator >= rules.threshold * figures.denominator
            when figures.denominator > 0 and rules.comparison = 'at_most'
                then figures.numerator <= rules.threshold * figures.denominator
            else false
        end
),

best as (
    select ward_code, assessment_year, criterion, part, max(points) as points
    from reached
    group by all
),

scored as (
    select
        figures.*,
        case
            when figures.missing_reason is not null then null
            when best.points is not null then best.points
            -- an empty share without its own band: no data; a figure that reaches no band: 0
            when figures.unit = 'percent' and coalesce(figures.denominator, 0) = 0 then null
            else 0
        end as points
    from figures
    left join best
        on figures.ward_code = best.ward_code
        and figures.assessment_year = best.assessment_year
        and figures.criterion = best.criterion
        and figures.part = best.part
),

final as (
    select
        ward_code,
        assessment_year,
        criterion,
        part,
        indicator_code,
        period_key,
        numerator,
        denominator,
        value,
        cast(points as integer) as points,
        cast(case
            when missing_reason is not null then missing_reason
            when points is null then 'no_members'
        end as varchar) as missing_reason
    from scored
)

select * from final
