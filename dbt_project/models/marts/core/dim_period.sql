-- One row per reporting period, as built in int_periods (where the intermediate models read it).
select * from {{ ref('int_periods') }}
