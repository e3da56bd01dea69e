-- Linkage rate per source and ward: how many child records were linked to a child, and how.
with records as (
    select * from {{ ref('int_child_records_linked') }}
),

final as (
    select
        source,
        ward_code,
        count(*) as records,
        count(*) filter (where child_id is not null) as records_with_id,
        count(*) filter (where match_method = 'personal_id') as linked_by_id,
        count(*) filter (where match_method = 'evidence_to_id') as linked_to_id_by_evidence,
        count(*) filter (where match_method in ('evidence', 'evidence_weak')) as linked_by_evidence_only,
        count(*) filter (where child_key is null) as not_linked,
        count(*) filter (where match_method in ('ambiguous', 'evidence_weak')) as for_review,
        count(*) filter (where child_key is not null) / count(*) as linkage_rate,
        count(*) filter (where child_id is null and match_method = 'evidence_to_id')
            / nullif(count(*) filter (where child_id is null), 0) as without_id_linked_to_id_rate
    from records
    group by source, ward_code
)

select * from final
