-- One row per card per monthly list (BHXH sends every card of the district each month, expired
-- ones too); the list is dated at the end of its month.
with cards as (
    select * from {{ source('raw', 'health_insurance') }}
),

files as (
    {{ current_files('health_insurance') }}
),

final as (
    select
        {{ record_id('cards') }} as record_id,
        cards.file_id,
        cards.source_row,
        files.report_period,
        files.file_received_at,
        files.report_period_end as list_date,
        upper(cards.card_number) as card_number,
        cards.ward_code,
        {{ child_columns('cards') }},
        cards.issue_date,
        cards.valid_from,
        cards.valid_to
    from cards
    inner join files on cards.file_id = files.file_id
)

select * from final
