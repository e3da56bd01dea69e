-- The sides of each validation rule (seed validation_rules) parsed into terms: one row per term with
-- its coefficient and element (null for a constant), so a side's value is the sum of coefficient ×
-- element value. Grammar: terms joined by + and -; a term is a number, #{element_code}, or an
-- element times numbers on either side (2 * #{a}, #{a} * 1.02). Spaces are dropped first. Pure SQL
-- over the seed's rows: nothing of the seed is compiled into the query. A side that does not parse
-- completely (the terms joined back differ from it) fails the test validation_rule_sides_parse_completely.
with rules as (
    select * from {{ ref('validation_rules') }}
),

sides as (
    select rule_id, 'left' as side, left_side as expression from rules
    union all
    select rule_id, 'right' as side, right_side as expression from rules
),

normalised as (
    select
        rule_id,
        side,
        expression,
        regexp_replace(expression, '\s+', '', 'g') as compact
    from sides
),

signed as (
    select
        *,
        case when left(compact, 1) in ('+', '-') then compact else '+' || compact end as signed_expression
    from normalised
),

term_lists as (
    select
        *,
        regexp_extract_all(
            signed_expression,
            '[+-](?:[0-9]+(?:\.[0-9]+)?\*)?(?:#\{[A-Za-z0-9_.]+\}|[0-9]+(?:\.[0-9]+)?)(?:\*[0-9]+(?:\.[0-9]+)?)?'
        ) as terms
    from signed
),

terms as (
    select
        rule_id,
        side,
        expression,
        signed_expression,
        unnest(terms) as term,
        generate_subscripts(terms, 1) as term_index
    from term_lists
),

parsed as (
    select
        *,
        nullif(regexp_extract(term, '#\{([A-Za-z0-9_.]+)\}', 1), '') as element_code,
        -- the numbers of the term once the element (whose code may hold digits) is taken out
        cast(
            regexp_extract_all(regexp_replace(term, '#\{[A-Za-z0-9_.]+\}', ''), '[0-9]+(?:\.[0-9]+)?') as double[]
        ) as factors
    from terms
),

final as (
    select
        cast(rule_id as varchar) as rule_id,
        side,
        cast(term_index as integer) as term_index,
        term,
        case when left(term, 1) = '-' then -1.0 else 1.0 end
            * coalesce(list_aggregate(factors, 'product'), 1.0) as coefficient,
        element_code,
        expression,
        signed_expression
    from parsed
)

select * from final
