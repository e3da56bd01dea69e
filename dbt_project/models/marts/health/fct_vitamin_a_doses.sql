-- One row per vitamin A dose: the child, today's ward, the round whose window holds the dose date
-- (round start to vitamin_a_window_days later), and the age and dose the schedule expects.
with doses as (
    select * from {{ ref('stg_vitamin_a__doses') }}
),

links as (
    {{ child_links('vitamin_a') }}
),

wards as (
    {{ today_wards() }}
),

rounds as (
    select
        rounds.round_code,
        rounds.round_start,
        cast(rounds.round_start + to_days(cast({{ parameter('vitamin_a_window_days') }} as integer)) as date)
            as round_window_end
    from {{ ref('vitamin_a_rounds') }} as rounds
),

final as (
    select
        doses.dose_id,
        doses.file_id,
        links.child_key,
        wards.current_ward_code as ward_code,
        doses.dose_date,
        rounds.round_code,
        doses.birth_date,
        {{ age_in_months('doses.birth_date', 'doses.dose_date') }} as age_months_at_dose,
        doses.dose_iu
    from doses
    left join links on doses.dose_id = links.record_id
    left join wards on doses.ward_code = wards.ward_code
    left join rounds on doses.dose_date between rounds.round_start and rounds.round_window_end
)

select * from final
