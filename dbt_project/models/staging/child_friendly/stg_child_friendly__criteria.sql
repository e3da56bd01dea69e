-- One row per criterion of a ward's yearly child-friendly self-assessment (Quyết định 06/2019/QĐ-TTg).
with criteria as (
    select * from {{ source('raw', 'child_friendly') }}
),

files as (
    {{ current_files('child_friendly') }}
),

final as (
    select
        {{ record_id('criteria') }} as record_id,
        criteria.file_id,
        criteria.source_row,
        files.report_period,
        files.file_received_at,
        cast(left(files.report_period, 4) as integer) as assessment_year,
        files.file_ward_code as ward_code,
        criteria.criterion,
        criteria.criterion_text,
        criteria.max_points,
        criteria.score,
        coalesce(criteria.met, false) as met
    from criteria
    inner join files on criteria.file_id = files.file_id
)

select * from final
