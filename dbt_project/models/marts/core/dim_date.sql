-- One row per day from the baseline year to the end of next year.
with days as (
    select cast(range as date) as date_day
    from range(date '2024-01-01', date '2027-01-01', interval 1 day)
),

final as (
    select
        date_day,
        cast(strftime(date_day, '%Y%m%d') as integer) as date_key,
        extract(year from date_day) as year,
        extract(quarter from date_day) as quarter,
        extract(month from date_day) as month,
        strftime(date_day, '%Y-%m') as month_key,
        extract(isodow from date_day) as iso_day_of_week,
        cast(date_trunc('month', date_day) as date) as month_start,
        cast(last_day(date_day) as date) as month_end
    from days
)

select * from final
