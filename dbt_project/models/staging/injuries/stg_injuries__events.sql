-- One row per accident or injury event; the ward is the file's (2024 files use the wards of that time).
with events as (
    select * from {{ source('raw', 'injuries') }}
),

files as (
    {{ current_files('injuries') }}
),

final as (
    select
        {{ record_id('events') }} as event_id,
        events.file_id,
        events.source_row,
        files.report_period,
        files.file_received_at,
        files.file_ward_code as ward_code,
        events.age,
        events.sex,
        events.injury_date,
        events.cause,
        events.place,
        coalesce(events.fatal, false) as fatal
    from events
    inner join files on events.file_id = files.file_id
)

select * from final
