-- The data-quality mart the dashboard reads: per org unit (each of today's wards; the district for
-- district-wide extracts) × source, what came in and how good it was. Files and rows count every file
-- loaded or quarantined (history included); submissions count the extracts owed; violations, outliers
-- and reconciliation counts are those of the latest build (they are recomputed each run, so every row
-- there is still open). A rule or check counts under the source its seed names.
with sources as (
    select distinct source, owed_by from {{ ref('extract_calendar') }}
),

wards as (
    select ward_code, district_code from {{ ref('dim_ward') }} where is_current
),

-- every ward × every source (a district-wide list still has ward-level violations and checks), and
-- the district × the sources it owes itself
units as (
    select wards.ward_code as org_unit_code, 'ward' as org_unit_level, sources.source
    from wards cross join (select distinct source from sources) as sources
    union all
    select distinct wards.district_code, 'district', sources.source
    from wards cross join sources
    where sources.owed_by = 'district'
),

files as (
    select * from {{ ref('stg_ingestion__files') }}
),

today_wards as (
    {{ today_wards() }}
),

district as (
    select distinct district_code from wards
),

files_by_unit as (
    select
        files.*,
        coalesce(today_wards.current_ward_code, district.district_code) as org_unit_code
    from files
    left join today_wards on files.ward_code = today_wards.ward_code
    cross join district
    where files.ward_code is null or today_wards.current_ward_code is not null
),

file_counts as (
    select
        org_unit_code,
        source,
        count(*) filter (where is_loaded) as files_loaded,
        count(*) filter (where is_quarantined) as files_quarantined,
        cast(coalesce(sum(rows_loaded), 0) as bigint) as rows_loaded,
        cast(coalesce(sum(rows_rejected), 0) as bigint) as rows_rejected
    from files_by_unit
    group by all
),

latest_files as (
    select
        org_unit_code,
        source,
        file_name as latest_file_name,
        submitted_at as latest_file_submitted_at,
        outcome as latest_file_outcome,
        quarantine_reason as latest_file_reason
    from files_by_unit
    qualify row_number() over (
        partition by org_unit_code, source order by submitted_at desc, first_seen_at desc, file_id
    ) = 1
),

submissions as (
    select
        org_unit_code,
        source,
        count(*) as extracts_expected,
        count(*) filter (where received) as extracts_received,
        count(*) filter (where on_time) as extracts_on_time,
        count(*) filter (where received and not on_time) as extracts_late,
        count(*) filter (where pending) as extracts_pending,
        max(days_late) as max_days_late
    from {{ ref('fct_report_submissions') }}
    group by all
),

violations as (
    select violations.ward_code as org_unit_code, rules.source, count(*) as open_violations
    from {{ ref('fct_validation_violations') }} as violations
    inner join {{ ref('validation_rules') }} as rules on violations.rule_id = rules.rule_id
    group by all
),

outliers as (
    select ward_code as org_unit_code, source, count(*) as outliers
    from {{ ref('fct_count_outliers') }}
    where is_outlier
    group by all
),

reconciliation as (
    select counts.ward_code as org_unit_code, checks.source, cast(sum(counts.children) as bigint) as reconciliation_children
    from {{ ref('agg_child_reconciliation') }} as counts
    inner join {{ ref('reconciliation_checks') }} as checks on counts.check_code = checks.check_code
    group by all
),

final as (
    select
        units.org_unit_code,
        units.org_unit_level,
        units.source,
        coalesce(file_counts.files_loaded, 0) as files_loaded,
        coalesce(file_counts.files_quarantined, 0) as files_quarantined,
        coalesce(file_counts.rows_loaded, 0) as rows_loaded,
        coalesce(file_counts.rows_rejected, 0) as rows_rejected,
        file_counts.rows_rejected / nullif(file_counts.rows_loaded + file_counts.rows_rejected, 0) as rejected_share,
        coalesce(submissions.extracts_expected, 0) as extracts_expected,
        coalesce(submissions.extracts_received, 0) as extracts_received,
        coalesce(submissions.extracts_on_time, 0) as extracts_on_time,
        coalesce(submissions.extracts_late, 0) as extracts_late,
        coalesce(submissions.extracts_pending, 0) as extracts_pending,
        submissions.max_days_late,
        coalesce(violations.open_violations, 0) as open_violations,
        coalesce(outliers.outliers, 0) as outliers,
        coalesce(reconciliation.reconciliation_children, 0) as reconciliation_children,
        latest_files.latest_file_name,
        latest_files.latest_file_submitted_at,
        latest_files.latest_file_outcome,
        latest_files.latest_file_reason
    from units
    left join file_counts using (org_unit_code, source)
    left join latest_files using (org_unit_code, source)
    left join submissions using (org_unit_code, source)
    left join violations using (org_unit_code, source)
    left join outliers using (org_unit_code, source)
    left join reconciliation using (org_unit_code, source)
)

select * from final
