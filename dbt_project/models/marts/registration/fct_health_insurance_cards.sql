-- One row per BHYT card, as the latest monthly list shows it (BHXH lists every card each month,
-- expired ones too): the child, today's ward, validity, the first and last list that held it.
-- Incremental: a run folds in only the lists loaded since the last one it folded (by the registry's
-- processed_at), merged card by card with what the table holds; the latest list wins, and on the same
-- list date the newer file (a correction) wins. Folding a list twice changes nothing. A card whose
-- values came from a list since replaced by a correction is folded again from every current list,
-- and dropped when no current list holds it.
{{ config(
    materialized='incremental',
    unique_key='card_number',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook=[
        "{{ drop_replaced_files('health_insurance', 'last_file_id') }}",
        "{{ relink_children('health_insurance', 'last_record_id') }}",
    ],
) }}

with files as (
    {{ loaded_files('health_insurance') }}
),

new_files as (
    select file_id from files
    {% if is_incremental() %}
        where file_processed_at > (
            select coalesce(max(file_processed_at), timestamp '1900-01-01') from files
            where file_id in (select last_file_id from {{ this }})
        )
    {% endif %}
),

-- cards whose values came from a list that a correction replaced
stale_cards as (
    {% if is_incremental() %}
        select card_number from {{ this }} where last_file_id not in (select file_id from files)
    {% else %}
        select null as card_number where false
    {% endif %}
),

card_rows as (
    select * from {{ ref('stg_health_insurance__cards') }}
    where file_id in (select file_id from new_files)
        or card_number in (select card_number from stale_cards)
),

links as (
    {{ child_links('health_insurance') }}
),

wards as (
    {{ today_wards() }}
),

listed as (
    select
        card_rows.card_number,
        card_rows.list_date,
        card_rows.list_date as first_listed,
        true as is_new,
        card_rows.record_id,
        card_rows.file_id,
        links.child_key,
        wards.current_ward_code as ward_code,
        card_rows.issue_date,
        card_rows.valid_from,
        card_rows.valid_to
    from card_rows
    left join links on card_rows.record_id = links.record_id
    left join wards on card_rows.ward_code = wards.ward_code

    {% if is_incremental() %}
    union all

    select
        card_number, last_listed, first_listed, false, last_record_id, last_file_id, child_key, ward_code,
        issue_date, valid_from, valid_to
    from {{ this }}
    where card_number in (select card_number from card_rows)
        and card_number not in (select card_number from stale_cards)
    {% endif %}
),

final as (
    select
        card_number,
        arg_max(child_key, (list_date, is_new)) as child_key,
        arg_max(ward_code, (list_date, is_new)) as ward_code,
        arg_max(issue_date, (list_date, is_new)) as issue_date,
        arg_max(valid_from, (list_date, is_new)) as valid_from,
        arg_max(valid_to, (list_date, is_new)) as valid_to,
        min(first_listed) as first_listed,
        max(list_date) as last_listed,
        arg_max(record_id, (list_date, is_new)) as last_record_id,
        arg_max(file_id, (list_date, is_new)) as last_file_id
    from listed
    group by card_number
)

select * from final
