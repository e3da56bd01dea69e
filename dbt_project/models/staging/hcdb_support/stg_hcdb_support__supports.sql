-- One row per support given to a child in special circumstances; the ward is the file's ward.
with supports as (
    select * from {{ source('raw', 'hcdb_support') }}
),

files as (
    {{ current_files('hcdb_support') }}
),

final as (
    select
        {{ record_id('supports') }} as support_id,
        supports.file_id,
        supports.source_row,
        files.report_period,
        files.file_received_at,
        files.file_ward_code as ward_code,
        {{ child_columns('supports') }},
        supports.hcdb_groups,
        supports.support_kind,
        supports.support_date,
        supports.amount_vnd,
        supports.funding_source
    from supports
    inner join files on supports.file_id = files.file_id
)

select * from final
