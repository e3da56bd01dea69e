-- Every side of every validation rule parses completely: its terms (int_validation_rule_terms)
-- joined back give the whole side. A side with a typo (a missing brace, a parenthesis, a letter
-- outside #{...}) would otherwise lose the part the parser skipped. Returns the sides that fail.
{{ config(meta={'dagster': {'ref': {'name': 'int_validation_rule_terms'}}}) }}
with rules as (
    select * from {{ ref('validation_rules') }}
),

sides as (
    select rule_id, 'left' as side, left_side as expression from rules
    union all
    select rule_id, 'right' as side, right_side as expression from rules
),

parsed as (
    select
        rule_id,
        side,
        any_value(signed_expression) as signed_expression,
        string_agg(term, '' order by term_index) as terms_joined
    from {{ ref('int_validation_rule_terms') }}
    group by all
)

select sides.rule_id, sides.side, sides.expression, parsed.terms_joined
from sides
left join parsed on sides.rule_id = parsed.rule_id and sides.side = parsed.side
where parsed.terms_joined is null or parsed.terms_joined != parsed.signed_expression
