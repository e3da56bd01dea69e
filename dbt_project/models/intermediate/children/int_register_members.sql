-- Who the register counts on a day: for each day that an indicator looks at (every period end, and
-- each vitamin A round's first day), the children of each ward's latest register snapshot dated on
-- or before that day. Wards are today's: before 2025 the snapshots of Nguyễn Trãi and Yết Kiêu count
-- with Quang Trung's of the same date. A ward that has sent no snapshot yet by then has no members.
-- A register row whose child could not be linked (listed for review) still counts: member_key is
-- then the row's record_id and child_key is null.
with register as (
    select * from {{ ref('stg_child_register__children') }}
),

links as (
    {{ child_links('child_register') }}
),

today_wards as (
    {{ today_wards() }}
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

register_rows as (
    select
        register.*,
        today_wards.current_ward_code,
        coalesce(links.child_key, register.record_id) as member_key,
        links.child_key
    from register
    inner join today_wards on register.ward_code = today_wards.ward_code
    inner join links on register.record_id = links.record_id
),

snapshots as (
    select distinct current_ward_code, snapshot_date from register_rows
),

latest_snapshots as (
    select as_of_days.as_of_date, snapshots.current_ward_code, max(snapshots.snapshot_date) as snapshot_date
    from as_of_days
    inner join snapshots on snapshots.snapshot_date <= as_of_days.as_of_date
    group by as_of_days.as_of_date, snapshots.current_ward_code
),

final as (
    select
        latest_snapshots.as_of_date,
        latest_snapshots.current_ward_code as ward_code,
        latest_snapshots.snapshot_date,
        register_rows.member_key,
        any_value(register_rows.child_key) as child_key,
        any_value(register_rows.birth_date) as birth_date,
        any_value(register_rows.sex) as sex,
        any_value(register_rows.residence) as residence,
        bool_or(register_rows.child_id is not null) as has_personal_id,
        any_value(register_rows.hcdb_groups) as hcdb_groups,
        bool_or(len(register_rows.hcdb_group_list) > 0) as is_hcdb
    from latest_snapshots
    inner join register_rows
        on latest_snapshots.current_ward_code = register_rows.current_ward_code
        and latest_snapshots.snapshot_date = register_rows.snapshot_date
    group by
        latest_snapshots.as_of_date, latest_snapshots.current_ward_code, latest_snapshots.snapshot_date,
        register_rows.member_key
    -- a child listed by two wards on that day (a move) counts once, in the newer snapshot
    qualify row_number() over (
        partition by register_rows.member_key, latest_snapshots.as_of_date
        order by latest_snapshots.snapshot_date desc, latest_snapshots.current_ward_code
    ) = 1
)

select * from final
