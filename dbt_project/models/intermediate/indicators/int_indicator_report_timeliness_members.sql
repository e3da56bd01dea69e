-- Members of report_timeliness: for each reporting period P, each ward of today that owes at least one
-- extract for a period ending inside P (fct_report_submissions, ward extracts only: a district-wide
-- file is not a ward's). numerator: every such extract arrived on time: by its own deadline, or for a
-- report period of the calendar by the report's deadline. The member is the ward in P; its rows are
-- the ward's fct_report_submissions rows with period_end in P. Periods with the same end (June,
-- Q2, H1, YTD June) give different figures, so each row names its period_key.
with submissions as (
    select * from {{ ref('fct_report_submissions') }} where org_unit_level = 'ward'
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

owed as (
    select
        periods.period_key,
        periods.period_end,
        submissions.org_unit_code as ward_code,
        case
            when periods.period_type = 'report'
                then coalesce(cast(submissions.first_submitted_at as date) <= periods.deadline, false)
            else submissions.on_time
        end as on_time
    from periods
    inner join submissions
        on submissions.period_end between periods.period_start and periods.period_end
    where not submissions.pending  -- not yet due: neither on time nor late
),

final as (
    select
        'report_timeliness' as indicator_code,
        ward_code,
        period_end as as_of_date,
        cast(null as date) as event_date,
        ward_code || '-' || period_key as member_key,
        cast(bool_and(on_time) as integer) as numerator,
        1 as denominator,
        0 as baseline,
        period_key
    from owed
    group by ward_code, period_key, period_end
)

select * from final
