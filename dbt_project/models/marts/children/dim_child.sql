-- One row per conformed child, with no name or ID in it: a surrogate key, birth date, sex, today's
-- ward and residence status from the latest register snapshot (else from the latest record of any
-- source). Names and IDs are in restricted.child_identities.
with records as (
    select * from {{ ref('int_child_records_linked') }} where child_key is not null
),

register as (
    select record_id, residence from {{ ref('stg_child_register__children') }}
),

children as (
    select
        records.child_key,
        arg_max(records.birth_date, records.record_date) as birth_date,
        arg_max(records.sex, records.record_date) as sex,
        arg_max(
            records.ward_code,
            (records.source = 'child_register', records.record_date, records.record_id)
        ) as ward_code,
        arg_max(register.residence, (records.record_date, records.record_id))
            filter (where records.source = 'child_register') as residence,
        bool_or(records.child_id is not null) as has_personal_id,
        bool_or(records.source = 'child_register') as in_register,
        min(records.match_method) filter (where records.match_method <> 'personal_id') as evidence_method,
        min(records.record_date) as first_record_date,
        max(records.record_date) as last_record_date,
        list(distinct records.source order by records.source) as sources
    from records
    left join register on records.record_id = register.record_id
    group by records.child_key
),

final as (
    select
        child_key,
        birth_date,
        sex,
        ward_code,
        residence,
        has_personal_id,
        in_register,
        case when has_personal_id then 'personal_id' else coalesce(evidence_method, 'evidence') end as identity_basis,
        first_record_date,
        last_record_date,
        array_to_string(sources, ';') as sources
    from children
)

select * from final
