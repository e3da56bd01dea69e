-- The drill-down of the indicator mart: every record behind every figure. One row per indicator ×
-- ward × member (a child, a registration, a dose, a case, an event, a ward assessment) × the day it
-- is counted on: as_of_date for stocks (the period's last day), event_date for flows (a period holds
-- the member when the date falls in it), both for children turning one. A member that belongs to one
-- period only (report_timeliness: periods ending on the same day differ) also carries its period_key.
-- fct_ward_indicators sums numerator, denominator and baseline over these rows, so every value
-- traces back to its rows.
with members as (
    select * from {{ ref('fct_indicator_members_stock') }}
    union all by name
    select * from {{ ref('fct_indicator_members_birth_registration') }}
    union all by name
    select * from {{ ref('fct_indicator_members_immunisation') }}
    union all by name
    select * from {{ ref('fct_indicator_members_vitamin_a') }}
    union all by name
    select * from {{ ref('fct_indicator_members_protection') }}
    union all by name
    select * from {{ ref('fct_indicator_members_child_friendly') }}
    union all by name
    select * from {{ ref('fct_indicator_members_report_timeliness') }}
),

final as (
    select
        indicator_code,
        ward_code,
        as_of_date,
        event_date,
        member_key,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator,
        cast(baseline as integer) as baseline,
        cast(period_key as varchar) as period_key
    from members
)

select * from final
