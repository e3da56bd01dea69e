-- Who the register counts on a day: for each day that an indicator looks at (every period end, and
-- each vitamin A round's first day), the children of each ward's latest register snapshot dated on
-- or before that day. A ward that has sent no snapshot yet by then has no members.
with register as (
    select * from {{ ref('stg_child_register__children') }}
),

links as (
    select record_id, child_key from {{ ref('int_child_records_linked') }} where source = 'child_register'
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

as_of_days as (
    select distinct period_end as as_of_date from periods
    union
    select round_start from {{ ref('vitamin_a_rounds') }}
    where round_start between (select min(period_start) from periods) and (select max(period_end) from periods)
),

snapshots as (
    select distinct ward_code, snapshot_date from register
),

latest_snapshots as (
    select as_of_days.as_of_date, snapshots.ward_code, max(snapshots.snapshot_date) as snapshot_date
    from as_of_days
    inner join snapshots on snapshots.snapshot_date <= as_of_days.as_of_date
    group by all
),

final as (
    select
        latest_snapshots.as_of_date,
        latest_snapshots.ward_code,
        latest_snapshots.snapshot_date,
        links.child_key,
        any_value(register.birth_date) as birth_date,
        any_value(register.sex) as sex,
        any_value(register.residence) as residence,
        bool_or(register.child_id is not null) as has_personal_id,
        any_value(register.hcdb_groups) as hcdb_groups,
        bool_or(len(register.hcdb_group_list) > 0) as is_hcdb
    from latest_snapshots
    inner join register
        on latest_snapshots.ward_code = register.ward_code
        and latest_snapshots.snapshot_date = register.snapshot_date
    inner join links on register.record_id = links.record_id
    where links.child_key is not null
    group by latest_snapshots.as_of_date, latest_snapshots.ward_code, latest_snapshots.snapshot_date, links.child_key
    -- a child listed by two wards on that day (a move) counts once, in the newer snapshot
    qualify row_number() over (
        partition by links.child_key, latest_snapshots.as_of_date
        order by latest_snapshots.snapshot_date desc, latest_snapshots.ward_code
    ) = 1
)

select * from final
