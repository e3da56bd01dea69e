-- Members of report_timeliness: for each reporting period P, each extract a ward of today owes for a
-- period ending inside P (fct_report_submissions, ward extracts only: a district-wide file is not a
-- ward's). numerator: the extract arrived on time: by its own deadline, or for a report period of the
-- calendar by the report's deadline. A ward's rate is its extracts on time over its extracts owed, and
-- the district's the same over every ward's, so wards compare by how often they are late (one late
-- file in a year no longer makes a ward 0%). Periods with the same end (June, Q2, H1, YTD June) give
-- different figures, so each row names its period_key.
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
        submissions.source,
        submissions.period_key as extract_period_key,
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
        ward_code || '-' || period_key || '-' || source || '-' || extract_period_key as member_key,
        cast(on_time as integer) as numerator,
        1 as denominator,
        0 as baseline,
        period_key
    from owed
)

select * from final
