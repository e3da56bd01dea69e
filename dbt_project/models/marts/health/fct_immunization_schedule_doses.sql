-- One row per dose and schedule item it counts as: what the indicators, the child status, the overdue
-- list, the quality elements and the dashboard count (docs/warehouse.md#vaccines-products-and-antigens).
--   * A dose counts for every item of vaccine_schedule whose antigens its product carries, the birth
--     dose (HEPB0) only within max_age_days of birth: a 6-in-1 counts for DTP_HEPB_HIB and IPV (and the
--     DTP booster), an MMR for MEASLES and MR, a Pentaxim (no hepatitis B) not for DTP_HEPB_HIB.
--   * Its dose number for an item follows the child's antigen history, not the product: the rank of
--     its date among the dates of the child's doses that count for the item, across every current
--     file. Only ranks the schedule lists are kept: the DTP booster is the 4th DTP-containing dose.
--   * The history is not known for a dose without a child (unlinked) nor for a child born before the
--     first month the extracts cover (its earlier doses were never sent): such a dose keeps the number
--     written in its file, for the most specific items it can count for with that number (an MR
--     written as dose 1 is MR 1, not also measles 1; a 6-in-1 dose 1 is DTP-HepB-Hib 1 and IPV 1).
-- A table rebuilt on every run: a new file can renumber a child's earlier doses.
with doses as (
    select * from {{ ref('fct_immunization_doses') }}
),

products as (
    select product_code, regexp_split_to_array(trim(antigens), '\s+') as antigens
    from {{ ref('vaccine_products') }}
),

schedule as (
    select vaccine_code, dose_number, regexp_split_to_array(trim(antigens), '\s+') as antigens, max_age_days
    from {{ ref('vaccine_schedule') }}
),

-- an item requires the same antigens and maximum age at every dose (tests/vaccine_schedule_items_agree.sql)
items as (
    select vaccine_code, any_value(antigens) as antigens, any_value(max_age_days) as max_age_days
    from schedule
    group by vaccine_code
),

product_items as (
    select products.product_code, items.vaccine_code, items.antigens, items.max_age_days
    from products
    inner join items on list_has_all(products.antigens, items.antigens)
),

-- the first day the immunisation extracts cover: a child born before it may have had doses before it
history_start as (
    select cast(strptime(min(report_period), '%Y-%m') as date) as first_day from doses
),

children as (
    select
        doses.child_key,
        coalesce(min(doses.birth_date) >= any_value(history_start.first_day), false) as history_known
    from doses
    cross join history_start
    where doses.child_key is not null
    group by doses.child_key
),

-- every dose × item its product counts for
counting as (
    select
        doses.*,
        product_items.vaccine_code as item_code,
        product_items.antigens as item_antigens,
        coalesce(children.history_known, false) as history_known
    from doses
    inner join product_items on doses.product_code = product_items.product_code
    left join children on doses.child_key = children.child_key
    where product_items.max_age_days is null or doses.age_days_at_dose <= product_items.max_age_days
),

by_history as (
    select
        counting.*,
        dense_rank() over (partition by counting.child_key, counting.item_code order by counting.dose_date)
            as item_dose_number,
        'antigen_history' as numbered_by
    from counting
    where counting.history_known
),

written_candidates as (
    select counting.*
    from counting
    inner join schedule
        on counting.item_code = schedule.vaccine_code and counting.dose_number = schedule.dose_number
    where not counting.history_known
),

-- among the items a dose could count for with its written number, those no other one refines
-- (requires more antigens, all of its own among them)
by_written_number as (
    select
        candidates.*,
        candidates.dose_number as item_dose_number,
        'written' as numbered_by
    from written_candidates as candidates
    where not exists (
        select 1
        from written_candidates as finer
        where finer.dose_id = candidates.dose_id
            and len(finer.item_antigens) > len(candidates.item_antigens)
            and list_has_all(finer.item_antigens, candidates.item_antigens)
    )
),

numbered as (
    select * from by_history
    union all by name
    select * from by_written_number
),

final as (
    select
        numbered.dose_id,
        numbered.file_id,
        numbered.dose_date,
        numbered.dose_date_key,
        numbered.dose_month,
        numbered.ward_version_id,
        numbered.ward_code,
        schedule.vaccine_code,
        schedule.dose_number,
        schedule.vaccine_code || '-' || cast(schedule.dose_number as varchar) as vaccine_dose_key,
        numbered.child_key,
        numbered.birth_date,
        numbered.sex,
        numbered.age_days_at_dose,
        numbered.report_period,
        numbered.product_code,
        numbered.dose_number as written_dose_number,
        numbered.numbered_by
    from numbered
    inner join schedule
        on numbered.item_code = schedule.vaccine_code and numbered.item_dose_number = schedule.dose_number
)

select * from final
