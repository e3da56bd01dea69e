-- Every record that names a child, from every person-level source, with the evidence used to link
-- it: personal ID, folded name, birth date, sex, today's ward, mother's folded name.
-- Protection cases carry only a pseudonymous code and injuries no child at all: they are not linked.
-- Incremental by file (issue 20): a run adds the records of the files it has not seen and removes
-- those of files no longer current (a correction superseded them). A record's key is its file's id and
-- its row, so the file is the key's first part. A change to this model or to the wards needs
-- `treem run --full-refresh`, as for the incremental facts.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    post_hook=["
        delete from {{ this }}
        where split_part(record_id, '-', 1) not in (
            select file_id from {{ ref('stg_ingestion__files') }} where is_current
        )
    "],
) }}
{% set person_sources = [
    {'source': 'child_register', 'model': 'stg_child_register__children', 'key': 'record_id', 'day': 'snapshot_date', 'mother': true},
    {'source': 'hcdb_support', 'model': 'stg_hcdb_support__supports', 'key': 'support_id', 'day': 'support_date', 'mother': false},
    {'source': 'immunization', 'model': 'stg_immunization__doses', 'key': 'dose_id', 'day': 'dose_date', 'mother': false},
    {'source': 'vitamin_a', 'model': 'stg_vitamin_a__doses', 'key': 'dose_id', 'day': 'dose_date', 'mother': false},
    {'source': 'birth_registration', 'model': 'stg_birth_registration__registrations', 'key': 'registration_id', 'day': 'registration_date', 'mother': true},
    {'source': 'health_insurance', 'model': 'stg_health_insurance__cards', 'key': 'record_id', 'day': 'list_date', 'mother': false},
] %}

with
{% if is_incremental() %}
-- the current files not folded in yet: selecting these (rather than "not among the folded ones") lets
-- DuckDB skip the other files' rows before it folds their names, twice as fast
new_files as (
    select file_id from {{ ref('stg_ingestion__files') }}
    where is_current
        and file_id not in (select distinct split_part(record_id, '-', 1) from {{ this }})
),
{% endif %}

unioned as (
    {% for person in person_sources %}
    select
        '{{ person.source }}' as source,
        {{ person.key }} as record_id,
        ward_code,
        child_id,
        child_name,
        child_name_folded,
        birth_date,
        sex,
        {{ 'mother_name' if person.mother else 'cast(null as varchar)' }} as mother_name,
        {{ 'mother_name_folded' if person.mother else 'cast(null as varchar)' }} as mother_name_folded,
        {{ person.day }} as record_date
    from {{ ref(person.model) }}
    {% if is_incremental() %}
    where file_id in (select file_id from new_files)
    {% endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

today_wards as (
    {{ today_wards() }}
),

final as (
    select
        unioned.source,
        unioned.record_id,
        unioned.child_id,
        unioned.child_name,
        unioned.child_name_folded,
        unioned.birth_date,
        unioned.sex,
        coalesce(today_wards.current_ward_code, unioned.ward_code) as ward_code,
        unioned.mother_name,
        unioned.mother_name_folded,
        unioned.record_date,
        md5(concat_ws('|',
            coalesce(unioned.child_id, ''), coalesce(unioned.child_name_folded, ''),
            coalesce(cast(unioned.birth_date as varchar), ''), coalesce(unioned.sex, ''),
            coalesce(today_wards.current_ward_code, unioned.ward_code, ''), coalesce(unioned.mother_name_folded, '')
        )) as evidence_key
    from unioned
    left join today_wards on unioned.ward_code = today_wards.ward_code
)

select * from final
