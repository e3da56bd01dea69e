"""The data-quality page's and the ward page's quality reads: submissions, rejected files, violations,
outliers, reconciliation, check results."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.serving import ORG_UNIT_NAMES, has_table, query

# an owed extract's status: on time, late, pending (not yet due) or missing (due, nothing loaded)
STATUS = """case when s.received and s.on_time then 'on_time'
                 when s.received then 'late'
                 when s.deadline >= current_date then 'pending'
                 else 'missing' end"""


def own_submissions() -> pd.DataFrame:
    """What the signed-in office owes, newest period first, with each one's status (the query layer
    keeps only its source and ward)."""
    return query(
        f"""
        select s.period_key, s.period_end, s.deadline, s.first_submitted_at, s.days_late, s.files_received,
               s.superseded, {STATUS} as status
        from fct_report_submissions s
        where s.expected
        order by s.period_end desc
        """
    )


def ward_submissions(ward_code: str, year: int) -> pd.DataFrame:
    """The ward's reporting record per source (and its Vietnamese name) for periods ending in the year:
    owed, received, on time, late, missing (deadline passed by the data-as-of date), most days late."""
    return query(
        """
        select coalesce(c.source_name, s.source) as source_name, s.source,
               count(*) filter (where expected) as owed,
               count(*) filter (where expected and received) as received,
               count(*) filter (where expected and on_time) as on_time,
               count(*) filter (where expected and received and not coalesce(on_time, false)) as late,
               count(*) filter (where expected and not coalesce(received, false)
                                  and deadline < coalesce((select max(cast(data_as_of as date))
                                                           from serving_meta), deadline)) as missing,
               max(days_late) as max_days_late
        from fct_report_submissions s
        left join (select source, any_value(name_vi) as source_name from extract_calendar group by source) c
          using (source)
        where s.org_unit_code = ? and year(s.period_end) = ?
        group by all
        order by s.source
        """,
        ward_code,
        year,
    )


def ward_quality(ward_code: str) -> pd.DataFrame:
    """The ward's data-quality row per source (agg_quality_ward_sources)."""
    return query(
        """
        select coalesce(c.source_name, q.source) as source_name, q.source, q.files_loaded,
               q.files_quarantined, q.rows_loaded, q.rows_rejected, q.rejected_share, q.open_violations,
               q.outliers, q.latest_file_name, q.latest_file_submitted_at, q.latest_file_outcome,
               q.latest_file_reason
        from agg_quality_ward_sources q
        left join (select source, any_value(name_vi) as source_name from extract_calendar group by source) c
          using (source)
        where q.org_unit_code = ?
        order by q.source
        """,
        ward_code,
    )


def submission_months() -> pd.DataFrame:
    """Months in which an owed extract's period ends, newest first: month ('YYYY-MM')."""
    return query(
        """
        select distinct strftime(period_end, '%Y-%m') as month
        from fct_report_submissions
        order by month desc
        """
    )


def report_submissions(month: str) -> pd.DataFrame:
    """Every owed extract whose period ends in the month ('YYYY-MM'), per org unit and source, with
    its status: on_time, late, missing (deadline passed, nothing loaded) or pending (not yet due)."""
    return query(
        f"""
        with {ORG_UNIT_NAMES},
        sources as (select source, any_value(name_vi) as source_name from extract_calendar group by source)
        select s.org_unit_code, coalesce(o.org_unit_name, s.org_unit_code) as org_unit_name,
               s.org_unit_level, s.source, coalesce(src.source_name, s.source) as source_name,
               s.period_type, s.period_key, s.deadline, s.first_submitted_at, s.days_late,
               s.files_received, s.files_quarantined, s.superseded,
               {STATUS} as status
        from fct_report_submissions s
        left join org_units o using (org_unit_code)
        left join sources src using (source)
        where strftime(s.period_end, '%Y-%m') = ?
        order by s.org_unit_level = 'district', org_unit_name, source_name
        """,
        month,
    )


def rejected_files() -> pd.DataFrame:
    """Per org unit and source with a quarantined file or a rejected row: counts, the rejected share
    of rows, and the latest file's outcome and reason."""
    return query(
        f"""
        with {ORG_UNIT_NAMES},
        sources as (select source, any_value(name_vi) as source_name from extract_calendar group by source)
        select a.org_unit_code, coalesce(o.org_unit_name, a.org_unit_code) as org_unit_name,
               a.source, coalesce(src.source_name, a.source) as source_name,
               a.files_loaded, a.files_quarantined, a.rows_loaded, a.rows_rejected, a.rejected_share,
               a.latest_file_name, a.latest_file_submitted_at, a.latest_file_outcome, a.latest_file_reason
        from agg_quality_ward_sources a
        left join org_units o using (org_unit_code)
        left join sources src using (source)
        where a.org_unit_level = 'ward' and (a.files_quarantined > 0 or a.rows_rejected > 0)
        order by a.files_quarantined desc, a.rows_rejected desc, org_unit_name, source_name
        """
    )


def open_violations() -> pd.DataFrame:
    """Validation rule failures per ward and month, with the rule's description."""
    return query(
        f"""
        with {ORG_UNIT_NAMES}
        select v.ward_code, coalesce(o.org_unit_name, v.ward_code) as ward_name, v.period_key,
               v.rule_id, v.name_vi, v.name_en, r.description_vi, r.description_en, v.severity,
               v.left_value, v.operator, v.right_value
        from fct_validation_violations v
        left join validation_rules r using (rule_id)
        left join org_units o on o.org_unit_code = v.ward_code
        order by v.severity = 'error' desc, v.period_key desc, ward_name, v.rule_id
        """
    )


def count_outliers() -> pd.DataFrame:
    """Monthly counts far from the ward's own history (modified z-score beyond the threshold)."""
    return query(
        f"""
        with {ORG_UNIT_NAMES},
        sources as (select source, any_value(name_vi) as source_name from extract_calendar group by source)
        select c.ward_code, coalesce(o.org_unit_name, c.ward_code) as ward_name,
               c.source, coalesce(src.source_name, c.source) as source_name, c.period_key,
               c.value, c.median, c.modified_z, c.threshold, c.direction
        from fct_count_outliers c
        left join org_units o on o.org_unit_code = c.ward_code
        left join sources src using (source)
        where c.is_outlier
        order by c.period_key desc, abs(c.modified_z) desc
        """
    )


def reconciliation_counts() -> pd.DataFrame:
    """Children listed by each cross-source check per ward (counts only)."""
    return query(
        f"""
        with {ORG_UNIT_NAMES}
        select a.as_of_date, a.ward_code, coalesce(o.org_unit_name, a.ward_code) as ward_name,
               a.check_code, a.check_sort_order, a.check_name_vi, a.check_name_en,
               a.check_description_vi, a.check_description_en, a.children
        from agg_child_reconciliation a
        left join org_units o on o.org_unit_code = a.ward_code
        order by a.check_sort_order, ward_name
        """
    )


def gx_results() -> pd.DataFrame:
    """The latest Great Expectations run (counts only); empty when none is published."""
    if not has_table("gx_results"):
        return pd.DataFrame()
    return query(
        """
        select checked_at, model, check_name, expectation, blocking, success, rows_checked,
               unexpected_count, unexpected_percent, observed_value
        from gx_results
        order by success, blocking desc, model, expectation
        """
    )
