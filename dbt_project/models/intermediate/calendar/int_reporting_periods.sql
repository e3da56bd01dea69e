-- The periods the indicator mart reports: those of int_periods from the first year with data to the
-- last month that the monthly extracts cover (a period still running has no row yet).
with periods as (
    select * from {{ ref('int_periods') }}
),

files as (
    select period_start, period_end from {{ ref('stg_ingestion__files') }} where is_current
),

-- the last day: the end of the latest month that a monthly extract covers (a quarterly register or
-- a yearly self-assessment dated at the end of a period still running does not make it complete),
-- and never after today
data_range as (
    select
        cast(date_trunc('year', min(period_start)) as date) as first_day,
        least(
            cast(coalesce(max(period_end) filter (where date_diff('day', period_start, period_end) < 31), max(period_end)) as date),
            current_date
        ) as last_day
    from files
),

final as (
    select periods.*
    from periods
    cross join data_range
    where periods.period_start >= data_range.first_day
        and periods.period_end <= data_range.last_day
)

select * from final
