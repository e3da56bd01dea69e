-- Validation rule failures (DHIS2 style, docs/domain.md §9): each rule of the seed validation_rules is
-- evaluated per today's ward and month on the elements of agg_quality_ward_month_values; one row per
-- ward-month where the rule fails, never hidden. A side is the sum of its terms (coefficient × the
-- element's value, a missing element counting as 0; a constant counts its coefficient). A rule is
-- evaluated in a ward-month only when at least one of its elements has a value there
-- (skip_if_all_missing) or, for skip_if_any_missing, all of them.
with rules as (
    select * from {{ ref('validation_rules') }}
),

terms as (
    select * from {{ ref('int_validation_rule_terms') }}
),

element_values as (
    select * from {{ ref('agg_quality_ward_month_values') }}
),

rule_elements as (
    select distinct rule_id, element_code from terms where element_code is not null
),

element_counts as (
    select rule_id, count(*) as elements from rule_elements group by rule_id
),

present as (
    select
        rule_elements.rule_id,
        element_values.ward_code,
        element_values.period_key,
        count(*) as elements_present
    from rule_elements
    inner join element_values on rule_elements.element_code = element_values.element_code
    group by all
),

evaluated as (
    select present.rule_id, present.ward_code, present.period_key
    from present
    inner join element_counts on present.rule_id = element_counts.rule_id
    inner join rules on present.rule_id = rules.rule_id
    where rules.missing_value_strategy = 'skip_if_all_missing'
        or (rules.missing_value_strategy = 'skip_if_any_missing' and present.elements_present = element_counts.elements)
),

term_values as (
    select
        evaluated.rule_id,
        evaluated.ward_code,
        evaluated.period_key,
        terms.side,
        case
            when terms.element_code is null then terms.coefficient
            else terms.coefficient * coalesce(element_values.value, 0)
        end as term_value
    from evaluated
    inner join terms on evaluated.rule_id = terms.rule_id
    left join element_values
        on terms.element_code = element_values.element_code
        and evaluated.ward_code = element_values.ward_code
        and evaluated.period_key = element_values.period_key
),

side_values as (
    select
        rule_id,
        ward_code,
        period_key,
        sum(term_value) filter (where side = 'left') as left_value,
        sum(term_value) filter (where side = 'right') as right_value
    from term_values
    group by all
),

-- compared through the rounded difference, so that 1.02 × n + 5 does not fail on a float's last digit
compared as (
    select
        side_values.*,
        rules.operator,
        round(side_values.left_value - side_values.right_value, 9) as difference
    from side_values
    inner join rules on side_values.rule_id = rules.rule_id
),

violations as (
    select * from compared
    where not case operator
        when '<=' then difference <= 0
        when '<' then difference < 0
        when '>=' then difference >= 0
        when '>' then difference > 0
        when '==' then difference = 0
        when '!=' then difference != 0
    end
),

final as (
    select
        cast(violations.rule_id as varchar) as rule_id,
        rules.name_vi,
        rules.name_en,
        rules.severity,
        violations.ward_code,
        violations.period_key,
        rules.left_side,
        cast(violations.left_value as double) as left_value,
        rules.operator,
        rules.right_side,
        cast(violations.right_value as double) as right_value
    from violations
    inner join rules on violations.rule_id = rules.rule_id
)

select * from final
