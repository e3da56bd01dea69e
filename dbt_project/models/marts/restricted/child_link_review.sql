-- Restricted: the evidence that was not linked with confidence, for a person to decide: records
-- without a personal ID that tie between children ('ambiguous', not linked) or that formed a child of
-- their own while an ID child came close ('evidence_weak').
with evidence as (
    select * from {{ ref('int_child_evidence_linked') }} where needs_review
),

names as (
    select evidence_key, any_value(child_name) as child_name, any_value(mother_name) as mother_name
    from {{ ref('int_child_records_unioned') }}
    where evidence_key in (select evidence_key from evidence)
    group by evidence_key
),

final as (
    select
        evidence.evidence_key,
        evidence.match_method,
        evidence.match_score,
        evidence.ward_code,
        names.child_name,
        evidence.birth_date,
        evidence.sex,
        names.mother_name,
        evidence.records,
        array_to_string(evidence.sources, ';') as sources,
        evidence.child_key,
        evidence.candidates,
        array_to_string(evidence.candidate_child_keys, ';') as candidate_child_keys
    from evidence
    inner join names on evidence.evidence_key = names.evidence_key
)

select * from final
