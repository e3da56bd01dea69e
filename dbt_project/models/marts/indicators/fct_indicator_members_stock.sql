-- Members of the stock indicators, counted on a period's last day E from the child status snapshot:
--   bhyt_under6_coverage      children under under6_age_months at E; numerator: a card valid on E
--   register_id_completeness  every register child; numerator: a valid personal ID
--   hcdb_supported            children in an HCĐB group; numerator: a support from 1 January to E
with status as (
    select * from {{ ref('fct_child_status') }}
),

final as (
    select
        'bhyt_under6_coverage' as indicator_code, ward_code, as_of_date, cast(null as date) as event_date,
        member_key, cast(insured as integer) as numerator, 1 as denominator, 0 as baseline
    from status
    where age_months < {{ parameter('under6_age_months') }}

    union all

    select
        'register_id_completeness', ward_code, as_of_date, null,
        member_key, cast(has_personal_id as integer), 1, 0
    from status

    union all

    select
        'hcdb_supported', ward_code, as_of_date, null,
        member_key, cast(supported_this_year as integer), 1, 0
    from status
    where is_hcdb
)

select * from final
