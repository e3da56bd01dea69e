-- Members of the immunisation indicators.
--   fully_immunised_under1  register children at E whose first birthday falls in the period;
--                           numerator: every dose of the fully-immunised list given before it
--   dtp_dropout             DTP-containing dose 1 (numerator +1, denominator +1) and dose 3
--                           (numerator -1) given in the period
-- Doses are schedule doses (fct_immunization_schedule_doses): items and dose numbers on the child's
-- antigen history, so a Hexaxim given after a Quinvaxem is DTP-HepB-Hib dose 2 whatever the file says.
with members as (
    select * from {{ ref('int_register_members') }}
    where as_of_date in (select period_end from {{ ref('int_reporting_periods') }})
),

doses as (
    select * from {{ ref('fct_immunization_schedule_doses') }}
),

full_list as (
    select vaccine_code, dose_number from {{ ref('vaccine_schedule') }} where in_full_immunisation
),

-- the earliest start of the periods ending on each day: a first birthday before it is in no window
window_starts as (
    select period_end as as_of_date, min(period_start) as earliest_start
    from {{ ref('int_reporting_periods') }}
    group by period_end
),

turning_one as (
    select
        members.*,
        cast(members.birth_date + interval 1 year as date) as first_birthday
    from members
    inner join window_starts on members.as_of_date = window_starts.as_of_date
    where cast(members.birth_date + interval 1 year as date)
        between window_starts.earliest_start and members.as_of_date
),

doses_before_one as (
    select
        turning_one.member_key,
        turning_one.as_of_date,
        count(distinct (doses.vaccine_code, doses.dose_number)) as given
    from turning_one
    inner join doses
        on turning_one.child_key = doses.child_key
        and doses.dose_date < turning_one.first_birthday
    inner join full_list
        on doses.vaccine_code = full_list.vaccine_code and doses.dose_number = full_list.dose_number
    group by all
),

final as (
    select
        'fully_immunised_under1' as indicator_code, turning_one.ward_code, turning_one.as_of_date,
        turning_one.first_birthday as event_date, turning_one.member_key,
        cast(coalesce(doses_before_one.given, 0) = (select count(*) from full_list) as integer) as numerator,
        1 as denominator, 0 as baseline
    from turning_one
    left join doses_before_one
        on turning_one.member_key = doses_before_one.member_key
        and turning_one.as_of_date = doses_before_one.as_of_date

    union all

    select
        'dtp_dropout', ward_code, null, dose_date, dose_id,
        case dose_number when 1 then 1 else -1 end,
        case dose_number when 1 then 1 else 0 end,
        0
    from doses
    where vaccine_code = 'DTP_HEPB_HIB' and dose_number in (1, 3)
)

select * from final
