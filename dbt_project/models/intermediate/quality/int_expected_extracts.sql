-- The extracts the district is owed (seed extract_calendar): one row per org unit × source × period
-- of the rule's period type, inside the rule's obligation window and the reporting horizon
-- (int_reporting_periods: a period past the last month of data is not yet owed, rather than missing).
-- owed_by 'ward' rules give a row per ward of today, 'district' rules one row for the district.
with calendar as (
    select * from {{ ref('extract_calendar') }}
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

wards as (
    select * from {{ ref('int_wards') }} where is_current
),

org_units as (
    select ward_code as org_unit_code, 'ward' as org_unit_level from wards
    union all
    select distinct district_code, 'district' from wards
),

owed_periods as (
    select
        calendar.source,
        calendar.owed_by,
        periods.period_key,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        cast(periods.period_end + to_days(calendar.due_days_after_period_end) as date) as deadline
    from calendar
    inner join periods
        on periods.period_type = calendar.period_type
        and periods.period_start >= calendar.obliged_from
        and periods.period_end <= calendar.obliged_to
    where calendar.months is null
        or list_contains(string_split(replace(calendar.months, ' ', ''), ';'), cast(month(periods.period_end) as varchar))
),

final as (
    select
        org_units.org_unit_code,
        org_units.org_unit_level,
        owed_periods.source,
        owed_periods.period_key,
        owed_periods.period_type,
        owed_periods.period_start,
        owed_periods.period_end,
        owed_periods.deadline
    from owed_periods
    inner join org_units on org_units.org_unit_level = owed_periods.owed_by
)

select * from final
