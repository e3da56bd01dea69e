-- Every child record with the child it was linked to (null when listed for review) and how.
with records as (
    select * from {{ ref('int_child_records_unioned') }}
),

evidence as (
    select evidence_key, child_key, match_method, match_score from {{ ref('int_child_evidence_linked') }}
),

final as (
    select
        records.*,
        evidence.child_key,
        evidence.match_method,
        evidence.match_score
    from records
    inner join evidence on records.evidence_key = evidence.evidence_key
)

select * from final
