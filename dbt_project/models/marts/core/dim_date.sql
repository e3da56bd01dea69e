-- One row per day, 2015–2035, as built in int_dates (where the intermediate models read it).
select * from {{ ref('int_dates') }}
