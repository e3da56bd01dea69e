-- One row per accident or injury event, under the ward of the file and today's ward (2024 events of
-- Nguyễn Trãi and Yết Kiêu count for Quang Trung).
with events as (
    select * from {{ ref('stg_injuries__events') }}
),

wards as (
    {{ today_wards() }}
),

final as (
    select
        events.event_id,
        events.file_id,
        events.ward_code as reported_ward_code,
        wards.current_ward_code as ward_code,
        events.injury_date,
        events.age,
        events.sex,
        events.cause,
        events.place,
        events.fatal
    from events
    left join wards on events.ward_code = wards.ward_code
)

select * from final
