-- warn: every element a validation rule reads is produced by agg_quality_ward_month_values
-- somewhere (a misspelt element would count as 0 and the rule would never fail). Warn only: a fresh
-- warehouse, or a vaccine not given yet, legitimately has no value for an element.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_validation_rule_terms'}}}) }}

select distinct terms.rule_id, terms.element_code
from {{ ref('int_validation_rule_terms') }} as terms
where terms.element_code is not null
    and terms.element_code not in (
        select distinct element_code from {{ ref('agg_quality_ward_month_values') }}
    )
