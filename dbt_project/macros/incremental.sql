{# Facts kept up to date file by file (materialized='incremental'): a run adds the rows of the files
   it has not seen, then drops the rows of files that are no longer current (a correction for the
   same source, ward and period superseded them) and re-reads the child links that changed (new
   evidence can link a record to a child). A full refresh gives the same table. #}

{% macro only_new_files(file_id_column) -%}
    {% if is_incremental() %}
        where {{ file_id_column }} not in (select distinct file_id from {{ this }})
    {% endif %}
{%- endmacro %}

{% macro drop_replaced_files(source_name, file_column='file_id') -%}
    delete from {{ this }}
    where {{ file_column }} not in (select file_id from ({{ loaded_files(source_name) }}))
{%- endmacro %}

{% macro relink_children(source_name, key_column) -%}
    update {{ this }} as fact
    set child_key = links.child_key
    from {{ ref('int_child_records_linked') }} as links
    where links.source = '{{ source_name }}'
        and links.record_id = fact.{{ key_column }}
        and links.child_key is distinct from fact.child_key
{%- endmacro %}
