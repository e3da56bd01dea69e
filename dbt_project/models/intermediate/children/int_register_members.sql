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

-- each snapshot's members once (a child listed twice in one snapshot is one member)
snapshot_members as (
    select
        current_ward_code as ward_code,
        snapshot_date,
        member_key,
        any_value(child_key) as child_key,
        any_value(birth_date) as birth_date,
        any_value(sex) as sex,
        any_value(residence) as residence,
        bool_or(child_id is not null) as has_personal_id,
        any_value(hcdb_groups) as hcdb_groups,
        bool_or(len(hcdb_group_list) > 0) as is_hcdb
    from register_rows
    group by current_ward_code, snapshot_date, member_key
),

-- Days on which every ward's latest snapshot is the same count the same members: the members are
-- decided once per such set of snapshots (a quarterly register gives about four a year, against a
-- dozen days), then given to each of its days. At city scale this is what keeps the model within
-- DuckDB's memory limit (issue 20: it ran out of 2 GB when it decided each day on its own).
snapshot_sets as (
    select
        as_of_date,
        string_agg(current_ward_code || '@' || cast(snapshot_date as varchar), ',' order by current_ward_code)
            as set_key
    from latest_snapshots
    group by as_of_date
),

set_snapshots as (
    select distinct snapshot_sets.set_key, latest_snapshots.current_ward_code, latest_snapshots.snapshot_date
    from snapshot_sets
    inner join latest_snapshots on snapshot_sets.as_of_date = latest_snapshots.as_of_date
),

set_members as (
    select set_snapshots.set_key, snapshot_members.*
    from set_snapshots
    inner join snapshot_members
        on set_snapshots.current_ward_code = snapshot_members.ward_code
        and set_snapshots.snapshot_date = snapshot_members.snapshot_date
    -- a child listed by two wards on that day (a move) counts once, in the newer snapshot
    qualify row_number() over (
        partition by set_snapshots.set_key, snapshot_members.member_key
        order by snapshot_members.snapshot_date desc, snapshot_members.ward_code
    ) = 1
),

final as (
    select
        snapshot_sets.as_of_date,
        set_members.ward_code,
        set_members.snapshot_date,
        set_members.member_key,
        set_members.child_key,
        set_members.birth_date,
        set_members.sex,
        set_members.residence,
        set_members.has_personal_id,
        set_members.hcdb_groups,
        set_members.is_hcdb
    from snapshot_sets
    inner join set_members on snapshot_sets.set_key = set_members.set_key
)

select * from final
