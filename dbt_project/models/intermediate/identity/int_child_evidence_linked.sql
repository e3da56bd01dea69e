-- Child identity: each distinct piece of evidence (ID, folded name, birth date, sex, ward, mother)
-- is linked to one child, or listed for review. The rule (docs/identity.md):
--   1. A valid personal ID is the child: child_key = hash of the ID, score 1.
--   2. Without an ID, the candidates are the ID children with the same folded name, birth date and
--      sex. Score = 0.6 for those three, + 0.2 when any of the candidate's records is in the same ward,
--      + 0.2 when the mother's folded name is one the candidate was listed with (- 0.4 when both sides
--      know a mother and none agrees). The best candidate is taken when it scores at
--      least the threshold (0.8) and no other candidate scores as much ('evidence_to_id'). A tie is
--      'ambiguous': listed for review, not linked, never guessed.
--   3. Without an ID, the records that share name, birth date, sex and ward form one child (score
--      0.8, 'evidence'), unless the register lists two such children with different mothers
--      ('ambiguous'). When an ID child scored under the threshold (same name and birth date in
--      another ward, say), the child is still formed but listed for review ('evidence_weak').
with records as (
    select * from {{ ref('int_child_records_unioned') }}
),

evidence as (
    select
        evidence_key,
        any_value(child_id) as child_id,
        any_value(child_name_folded) as child_name_folded,
        any_value(birth_date) as birth_date,
        any_value(sex) as sex,
        any_value(ward_code) as ward_code,
        any_value(mother_name_folded) as mother_name_folded,
        count(*) as records,
        list(distinct source order by source) as sources
    from records
    group by evidence_key
),

with_id as (
    select * from evidence where child_id is not null
),

without_id as (
    select * from evidence where child_id is null
),

-- a candidate is scored on everything known about it across its records: any record in the same
-- ward, and every mother's name it was listed with (a dose record without a mother's name does not
-- hide a register record that names another mother)
candidate_evidence as (
    select
        without_id.evidence_key,
        any_value(without_id.mother_name_folded) as mother_name_folded,
        with_id.child_id as candidate_child_id,
        bool_or(without_id.ward_code = with_id.ward_code) as same_ward,
        list(distinct with_id.mother_name_folded) filter (where with_id.mother_name_folded is not null)
            as candidate_mothers
    from without_id
    inner join with_id
        on without_id.child_name_folded = with_id.child_name_folded
        and without_id.birth_date = with_id.birth_date
        and without_id.sex = with_id.sex
    group by without_id.evidence_key, with_id.child_id
),

candidates as (
    select
        evidence_key,
        candidate_child_id,
        0.6
        + case when same_ward then 0.2 else 0 end
        + case
            when mother_name_folded is null or coalesce(len(candidate_mothers), 0) = 0 then 0
            when list_contains(candidate_mothers, mother_name_folded) then 0.2
            else -0.4
        end as score
    from candidate_evidence
),

best_candidates as (
    select
        evidence_key,
        max(score) as best_score,
        count(*) as candidates,
        count(*) filter (where score = best) as at_best,
        arg_max(candidate_child_id, score) as best_child_id,
        list(md5('pid|' || candidate_child_id) order by score desc, candidate_child_id) as candidate_child_keys
    from (select *, max(score) over (partition by evidence_key) as best from candidates)
    group by evidence_key
),

-- register children without an ID who are two different children on the same evidence: one
-- snapshot lists both, with different mothers (across snapshots a mother's name may just be retyped)
register_twins as (
    select distinct child_name_folded, birth_date, sex, ward_code
    from (
        select child_name_folded, birth_date, sex, ward_code, split_part(record_id, '-', 1) as file_id
        from records
        where source = 'child_register' and child_id is null
        group by all
        having count(distinct mother_name_folded) > 1
    )
),

linked as (
    select
        with_id.evidence_key,
        'personal_id' as match_method,
        1.0 as match_score,
        md5('pid|' || with_id.child_id) as child_key,
        1 as candidates
    from with_id

    union all

    select
        without_id.evidence_key,
        case when best_candidates.at_best > 1 then 'ambiguous' else 'evidence_to_id' end,
        best_candidates.best_score,
        case when best_candidates.at_best = 1 then md5('pid|' || best_candidates.best_child_id) end,
        best_candidates.candidates
    from without_id
    inner join best_candidates on without_id.evidence_key = best_candidates.evidence_key
    where best_candidates.best_score >= {{ var('link_threshold') }}

    union all

    select
        without_id.evidence_key,
        case
            when register_twins.ward_code is not null then 'ambiguous'
            when best_candidates.evidence_key is not null then 'evidence_weak'
            else 'evidence'
        end,
        {{ var('link_threshold') }},
        case when register_twins.ward_code is null then md5(concat_ws('|', 'ev',
            without_id.child_name_folded, cast(without_id.birth_date as varchar), without_id.sex, without_id.ward_code
        )) end,
        case when register_twins.ward_code is not null then 2 else coalesce(best_candidates.candidates, 0) end
    from without_id
    left join best_candidates on without_id.evidence_key = best_candidates.evidence_key
    left join register_twins
        on without_id.child_name_folded = register_twins.child_name_folded
        and without_id.birth_date = register_twins.birth_date
        and without_id.sex = register_twins.sex
        and without_id.ward_code = register_twins.ward_code
    where best_candidates.evidence_key is null or best_candidates.best_score < {{ var('link_threshold') }}
),

final as (
    select
        evidence.*,
        linked.child_key,
        linked.match_method,
        cast(linked.match_score as decimal(3, 2)) as match_score,
        linked.candidates,
        best_candidates.candidate_child_keys,
        linked.match_method in ('ambiguous', 'evidence_weak') as needs_review
    from evidence
    inner join linked on evidence.evidence_key = linked.evidence_key
    left join best_candidates on evidence.evidence_key = best_candidates.evidence_key
)

select * from final
