-- Restricted: who each conformed child is (personal ID, name, mother's name), from the latest
-- register record, else the latest record of any source. Only roles allowed to see children read it.
with records as (
    select * from {{ ref('int_child_records_linked') }} where child_key is not null
),

final as (
    select
        child_key,
        max(child_id) as personal_id,
        arg_max(child_name, (source = 'child_register', record_date, record_id)) as child_name,
        arg_max(mother_name, (mother_name is not null, source = 'child_register', record_date, record_id)) as mother_name
    from records
    group by child_key
)

select * from final
