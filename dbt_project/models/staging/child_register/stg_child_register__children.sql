-- One row per child per register snapshot (the current version of each ward's snapshot file).
-- The snapshot is dated at the end of its report period; the ward is the file's ward.
with children as (
    select * from {{ source('raw', 'child_register') }}
),

files as (
    {{ current_files('child_register') }}
),

final as (
    select
        {{ record_id('children') }} as record_id,
        children.file_id,
        children.source_row,
        files.report_period,
        files.file_received_at,
        files.report_period_end as snapshot_date,
        files.file_ward_code as ward_code,
        {{ child_columns('children') }},
        children.residence,
        children.residential_group,
        children.mother_name,
        {{ fold_name('children.mother_name') }} as mother_name_folded,
        children.hcdb_groups,
        coalesce(string_split(children.hcdb_groups, ';'), []) as hcdb_group_list
    from children
    inner join files on children.file_id = files.file_id
)

select * from final
