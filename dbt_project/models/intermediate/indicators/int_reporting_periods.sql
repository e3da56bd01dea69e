-- The periods the indicator mart reports: those of dim_period from the first year with data to the
-- last period end that the loaded files reach (a period still running has no row yet, except its
-- year-to-date window).
with periods as (
    select * from {{ ref('dim_period') }}
),

files as (
    select period_start, period_end from {{ source('raw', 'file_registry') }}
    where outcome = 'loaded' and superseded_by is null
),

data_range as (
    select
        cast(date_trunc('year', min(period_start)) as date) as first_day,
        cast(max(period_end) as date) as last_day
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
