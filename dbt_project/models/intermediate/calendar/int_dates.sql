-- One row per day, 2015–2035: wide enough for every birth date of a child and every report period.
with days as (
    select cast(range as date) as date_day
    from range(date '2015-01-01', date '2036-01-01', interval 1 day)
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
