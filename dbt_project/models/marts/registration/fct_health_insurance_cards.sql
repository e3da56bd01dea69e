-- One row per BHYT card, as the latest monthly list shows it (BHXH lists every card each month):
-- the child, today's ward, validity, and the first and last list that held it.
with card_rows as (
    select * from {{ ref('stg_health_insurance__cards') }}
),

links as (
    select record_id, child_key from {{ ref('int_child_records_linked') }} where source = 'health_insurance'
),

wards as (
    select distinct ward_code, current_ward_code from {{ ref('dim_ward') }}
),

final as (
    select
        card_rows.card_number,
        arg_max(links.child_key, card_rows.list_date) as child_key,
        arg_max(wards.current_ward_code, card_rows.list_date) as ward_code,
        arg_max(card_rows.issue_date, card_rows.list_date) as issue_date,
        arg_max(card_rows.valid_from, card_rows.list_date) as valid_from,
        arg_max(card_rows.valid_to, card_rows.list_date) as valid_to,
        min(card_rows.list_date) as first_listed,
        max(card_rows.list_date) as last_listed,
        count(*) as lists
    from card_rows
    left join links on card_rows.record_id = links.record_id
    left join wards on card_rows.ward_code = wards.ward_code
    group by card_rows.card_number
)

select * from final
