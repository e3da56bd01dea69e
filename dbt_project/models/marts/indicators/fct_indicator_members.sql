-- The drill-down of the indicator mart: every record behind every figure. One row per indicator ×
-- ward × member (a child, a registration, a dose, a case, an event, a ward assessment) × the day it
-- is counted on: as_of_date for stocks (the period's last day), event_date for flows (a period holds
-- the member when the date falls in it), both for children turning one. A member that belongs to one
-- period only (report_timeliness: periods ending on the same day differ) also carries its period_key.
-- fct_ward_indicators sums numerator, denominator and baseline over these rows, so every value
-- traces back to its rows.
with members as (
    select * from {{ ref('int_indicator_stock_members') }}
    union all by name
    select * from {{ ref('int_indicator_birth_registration_members') }}
    union all by name
    select * from {{ ref('int_indicator_immunisation_members') }}
    union all by name
    select * from {{ ref('int_indicator_vitamin_a_members') }}
    union all by name
    select * from {{ ref('int_indicator_protection_members') }}
    union all by name
    select * from {{ ref('int_indicator_child_friendly_members') }}
    union all by name
    select * from {{ ref('int_indicator_report_timeliness_members') }}
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
