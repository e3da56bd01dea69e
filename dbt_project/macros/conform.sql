{# Shared pieces of the models: which files count, how a child's evidence is normalised, ages. #}

{# The current version of each loaded file of a source: a correction for the same source, ward and
   period sets superseded_by on the earlier file, whose rows stay in raw but leave the marts. #}
{% macro current_files(source_name) %}
    select
        file_id,
        period as report_period,
        cast(period_start as date) as report_period_start,
        cast(period_end as date) as report_period_end,
        ward_code as file_ward_code,
        received_at as file_received_at,
        processed_at as file_processed_at
    from {{ source('raw', 'file_registry') }}
    where source = '{{ source_name }}' and outcome = 'loaded' and superseded_by is null
{% endmacro %}

{# The same current files for the models after staging, which read the registry through its staging
   model: a source's files, their report period's first day and when the pipeline first took them. #}
{% macro loaded_files(source_name) %}
    select file_id, period_start as report_period_start, first_seen_at as file_processed_at
    from {{ ref('stg_ingestion__files') }}
    where source = '{{ source_name }}' and is_current
{% endmacro %}

{# A name as evidence for linking: composed Unicode, lower case, no diacritics (đ as d), single spaces. #}
{% macro fold_name(column) -%}
    nullif(trim(regexp_replace(replace(strip_accents(lower(nfc_normalize({{ column }}))), 'đ', 'd'), '\s+', ' ', 'g')), '')
{%- endmacro %}

{# The child columns every person-level source carries. Ingestion checked the ID against the sex and
   birth date (rule id_matches); here it is kept only when it has the 12 digits of a personal ID. #}
{% macro child_columns(relation) -%}
        case when regexp_full_match({{ relation }}.child_id, '[0-9]{12}') then {{ relation }}.child_id end as child_id,
        {{ relation }}.child_name,
        {{ fold_name(relation ~ '.child_name') }} as child_name_folded,
        {{ relation }}.birth_date,
        {{ relation }}.sex
{%- endmacro %}

{# The record's key: the file and the row it was read from. #}
{% macro record_id(relation) -%}
    {{ relation }}.file_id || '-' || cast({{ relation }}.source_row as varchar)
{%- endmacro %}

{# Full months of age on a day, counted as adding months to the birth date does: a child born on
   31 January is one month old on 28 February (DuckDB's date_sub clamps to the month's end). #}
{% macro age_in_months(birth_date, on_date) -%}
    date_sub('month', {{ birth_date }}, {{ on_date }})
{%- endmacro %}

{# Any ward code a source writes (a version of today or before 2025) → today's ward. One place for the
   mapping: a code with two versions must keep one successor, or rows would fan out. #}
{% macro today_wards() -%}
    select distinct ward_code, current_ward_code from {{ ref('int_wards') }}
{%- endmacro %}

{# One value of the indicator_parameters seed, as a scalar subquery. #}
{% macro parameter(name) -%}
    (select value from {{ ref('indicator_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}

{# Which child each record of a source was linked to (child_key null: listed for review). #}
{% macro child_links(source_name) -%}
    select record_id, child_key from {{ ref('int_child_records_linked') }} where source = '{{ source_name }}'
{%- endmacro %}
