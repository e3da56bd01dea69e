-- Accidents and injuries per today's ward × month × cause, with the deaths among them: counts only,
-- for reports and the dashboard (events of 2024 count under today's ward, as the baseline does).
with events as (
    select * from {{ ref('fct_injury_events') }}
),

categories as (
    select * from {{ ref('protection_categories') }} where category = 'injury_cause'
),

counts as (
    select
        ward_code,
        cast(date_trunc('month', injury_date) as date) as month_start,
        cause,
        count(*) as events,
        count(*) filter (where fatal) as deaths
    from events
    group by all
),

final as (
    select
        counts.ward_code,
        counts.month_start,
        counts.cause,
        categories.sort_order as cause_sort_order,
        categories.name_vi as cause_name_vi,
        categories.name_en as cause_name_en,
        counts.events,
        counts.deaths
    from counts
    left join categories on counts.cause = categories.code
)

select * from final
