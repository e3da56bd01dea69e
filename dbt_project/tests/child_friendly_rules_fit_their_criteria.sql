{{ config(meta={'dagster': {'ref': {'name': 'child_friendly_rules'}}}) }}
-- The bands of child_friendly_rules: a threshold wherever a figure is compared, one indicator and one
-- list of sources per part (two would count the part twice), sources that the extract calendar knows, and no criterion able to score more than its maximum (the
-- best band of each part, summed).
with rules as (
    select * from {{ ref('child_friendly_rules') }}
),

criteria as (
    select * from {{ ref('child_friendly_criteria') }}
),

sources as (
    select distinct rules.criterion, rules.part, split_part(trim(unnest(string_split(rules.sources, ';'))), '@', 1) as source
    from rules
),

parts as (
    select
        criterion,
        part,
        count(distinct indicator_code) as indicators,
        count(distinct sources) as source_lists,
        max(points) as best
    from rules
    group by all
),

best as (
    select criterion, sum(best) as best from parts group by all
)

select 'missing threshold' as problem, criterion, part from rules
where comparison <> 'no_members' and threshold is null
union all
select 'several indicators in one part', criterion, part from parts where indicators > 1
union all
select 'several source lists in one part', criterion, part from parts where source_lists > 1
union all
select 'unknown source ' || source, criterion, part from sources
where source not in (select source from {{ ref('extract_calendar') }})
union all
select 'more than the maximum', best.criterion, null from best
inner join criteria on best.criterion = criteria.criterion
where best.best > criteria.max_points
