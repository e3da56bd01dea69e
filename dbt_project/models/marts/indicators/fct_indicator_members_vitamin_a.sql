-- Members of vitamin_a_coverage: for each round, the register children (latest snapshot dated on or
-- before the round's first day R) aged from vitamin_a_min_age_months to under vitamin_a_max_age_months
-- on R, placed in the periods that hold R; numerator: a dose dated in the round's window.
with rounds as (
    select round_code, round_start from {{ ref('vitamin_a_rounds') }}
),

members as (
    select * from {{ ref('int_register_members') }}
),

doses as (
    select distinct child_key, round_code from {{ ref('fct_vitamin_a_doses') }}
    where child_key is not null and round_code is not null
),

final as (
    select
        'vitamin_a_coverage' as indicator_code,
        members.ward_code,
        cast(null as date) as as_of_date,
        rounds.round_start as event_date,
        members.member_key,
        cast(doses.child_key is not null as integer) as numerator,
        1 as denominator,
        0 as baseline
    from rounds
    inner join members on members.as_of_date = rounds.round_start
    left join doses on members.child_key = doses.child_key and rounds.round_code = doses.round_code
    where {{ age_in_months('members.birth_date', 'rounds.round_start') }} >= {{ parameter('vitamin_a_min_age_months') }}
        and {{ age_in_months('members.birth_date', 'rounds.round_start') }} < {{ parameter('vitamin_a_max_age_months') }}
)

select * from final
