-- One row per vaccine dose, attributed to the ward version valid on the dose date and to
-- today's ward. A dose recorded under a ward that no longer existed on that day (offices keep
-- writing 'Nguyễn Trãi' in 2025) takes that ward's last version, whose successor is today's ward.
-- No name or ID here: the child is its conformed key (dim_child). Incremental: a month's new files
-- add their doses without rebuilding the year (macros/incremental.sql). The dose is the product given
-- and the number written; which schedule items and doses it counts as depends on the child's whole
-- history and is fct_immunization_schedule_doses, rebuilt every run.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    post_hook=[
        "{{ drop_replaced_files('immunization') }}",
        "{{ relink_children('immunization', 'dose_id') }}",
    ],
) }}

with doses as (
    select * from {{ ref('stg_immunization__doses') }}
    {{ only_new_files('file_id') }}
),

links as (
    {{ child_links('immunization') }}
),

wards as (
    select * from {{ ref('dim_ward') }}
),

final as (
    select
        doses.dose_id,
        doses.file_id,
        doses.dose_date,
        cast(strftime(doses.dose_date, '%Y%m%d') as integer) as dose_date_key,
        strftime(doses.dose_date, '%Y-%m') as dose_month,
        wards.ward_version_id,
        wards.current_ward_code as ward_code,
        doses.product_code,
        doses.dose_number,
        links.child_key,
        doses.birth_date,
        doses.sex,
        date_diff('day', doses.birth_date, doses.dose_date) as age_days_at_dose,
        doses.report_period
    from doses
    inner join wards on doses.ward_code = wards.ward_code
    left join links on doses.dose_id = links.record_id
    qualify row_number() over (
        partition by doses.dose_id
        order by doses.dose_date between wards.valid_from and wards.valid_to desc, wards.valid_to desc
    ) = 1
)

select * from final
