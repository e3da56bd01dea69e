"""Every SQL query of the dashboard, over the serving copy only, cached per published version."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from access import audit
from access.roles import Role, Viewer
from dashboard import auth, formatting, scope
from dashboard.i18n import t
from treem.home import home_from_env


def serving_path() -> Path:
    return home_from_env().serving


def _version(path: Path) -> float | None:
    """A published file's modification time: a new publish invalidates every cached query on it."""
    return path.stat().st_mtime if path.exists() else None


@st.cache_data(show_spinner=False, max_entries=96)
def _read(path: str, sql: str, params: tuple, version: float, viewer: Viewer | None) -> pd.DataFrame:
    con = scope.connect(path, version, viewer)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def _query_file(path: Path, sql: str, params: tuple) -> pd.DataFrame:
    """``sql`` over the published file, through the signed-in viewer's views of it (``scope``)."""
    version = _version(path)
    if version is None:
        return pd.DataFrame()
    return _read(os.fspath(path), sql, params, version, auth.current_viewer())


def query(sql: str, *params: object) -> pd.DataFrame:
    return _query_file(serving_path(), sql, params)


def serving_meta() -> dict | None:
    frame = query("select published_at, data_as_of, files_loaded, files_quarantined from serving_meta")
    return None if frame.empty else frame.iloc[0].to_dict()


def indicator(code: str) -> dict:
    frame = query("select * from indicators where indicator_code = ?", code)
    return frame.iloc[0].to_dict() if not frame.empty else {}


def dropout_by_ward(period_type: str, period_key: str) -> pd.DataFrame:
    """DTP1, DTP3 and dropout per ward (and the district) for one period."""
    return query(
        """
        select f.org_unit_code, f.org_unit_name, f.org_unit_level,
               f.denominator as dtp1, f.denominator - f.numerator as dtp3,
               f.value as dropout, f.target, f.meets_target, i.target_comparison, i.direction
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code = 'dtp_dropout' and f.period_type = ? and f.period_key = ?
        order by f.org_unit_level = 'district', f.value desc nulls last, f.org_unit_name
        """,
        period_type,
        period_key,
    )


def doses_by_ward_vaccine(months: tuple[str, ...]) -> pd.DataFrame:
    """Doses per ward and vaccine over the given months ('2025-03', ...)."""
    marks = ", ".join("?" for _ in months)
    return query(
        f"""
        select w.ward_name, v.vaccine_label_vi as vaccine, a.vaccine_code, sum(a.doses) as doses
        from agg_immunization_ward_months a
        join (select ward_code, ward_name from dim_ward where is_current) w using (ward_code)
        join (select distinct vaccine_code, vaccine_label_vi from dim_vaccine) v using (vaccine_code)
        where a.dose_month in ({marks})
        group by all
        order by w.ward_name, a.vaccine_code
        """,
        *months,
    )


DROPOUT_FROM_MONTH = 3  # DTP3 comes 8 weeks after DTP1 at the soonest: a year-to-date rate is noise before


def dropout_trend() -> pd.DataFrame:
    """Year-to-date dropout at the end of each month from March on (``month``: 'T3/2025'), for every
    ward and the district; a negative rate (more DTP3 than DTP1 doses so far) is a data question, not a
    point on the line: ``dropout`` is null there and ``negative`` true."""
    return query(
        f"""
        select org_unit_name, org_unit_level,
               'T' || month(period_end) || '/' || year(period_end) as month, period_start,
               case when value >= 0 then value end as dropout, value < 0 as negative, denominator as dtp1
        from fct_ward_indicators
        where indicator_code = 'dtp_dropout' and period_type = 'ytd' and denominator > 0
          and month(period_end) >= {DROPOUT_FROM_MONTH}
        order by period_start, org_unit_name
        """
    )


# --- overview and ward pages ---


def indicator_periods() -> pd.DataFrame:
    """Periods with at least one indicator figure, newest first within each period type:
    period_type, period_key, period_start, period_end, label_vi, label_en, report_kind and
    complete (the period ended on or before the data-as-of date)."""
    return query(
        """
        with has_data as (
            select period_key
            from fct_ward_indicators
            where value is not null and (denominator > 0 or denominator is null)
            group by period_key
        )
        select p.period_type, p.period_key, p.period_start, p.period_end, p.label_vi, p.label_en,
               p.report_kind,
               p.period_end <= coalesce((select max(cast(data_as_of as date)) from serving_meta),
                                        p.period_end) as complete
        from dim_period p
        join has_data using (period_key)
        order by p.period_type, p.period_end desc, p.sort_order desc
        """
    )


def indicator_catalogue() -> pd.DataFrame:
    """The indicator seed, in its own order."""
    return query(
        """
        select indicator_code, name_vi, name_en, short_vi, short_en, unit, direction, target,
               target_comparison, target_source, definition_vi, definition_en
        from indicators
        """
    )


def indicators_for_period(period_key: str) -> pd.DataFrame:
    """Every org unit (15 wards and the district) × indicator for one period, with the catalogue."""
    return query(
        """
        select f.org_unit_code, f.org_unit_name, f.org_unit_level, f.period_key, f.period_type,
               f.indicator_code, i.name_vi, i.name_en, i.short_vi, i.short_en, i.unit, i.direction,
               i.target_comparison,
               i.definition_vi, i.definition_en,
               f.numerator, f.denominator, f.value, f.target, f.meets_target, f.baseline, f.suppressed,
               f.numerator_mark, f.denominator_mark, f.baseline_mark, f.value_mark,
               f.ward_rank, f.wards_ranked
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.period_key = ?
        order by f.org_unit_level = 'district', f.org_unit_name, f.indicator_code
        """,
        period_key,
    )


def child_friendly_standings(period_key: str) -> pd.DataFrame:
    """Each ward's child-friendly standing at the end of the period, as child_friendly_ward counts it:
    its own latest self-assessment of a year up to the period's end (agg_child_friendly_wards), one row
    per ward of today: ward_code, assessment_year, total_points, max_points, criteria_assessed,
    criteria_met, criteria_required, meets_standard, ``standing`` ('Đạt', 'Chưa đạt', 'Chưa tự đánh
    giá') and ``standing_detail`` ('Đạt · 935/1.000 điểm, 13/13 tiêu chí'; the assessment's year added
    when it is not the period's). Never a percentage: per ward the indicator is met or not."""
    columns = ["ward_code", "assessment_year", "total_points", "max_points", "criteria_assessed"]
    columns += ["criteria_met", "criteria_required", "meets_standard", "standing", "standing_detail"]
    if not has_table("agg_child_friendly_wards"):  # a serving copy published before the table
        return pd.DataFrame(columns=columns)
    frame = query(
        """
        with period as (select period_end from dim_period where period_key = ?)
        select w.ward_code, year(p.period_end) as period_year, a.assessment_year, a.total_points,
               a.max_points, a.criteria_assessed, a.criteria_met, a.criteria_required, a.meets_standard
        from dim_ward w
        cross join period p
        left join agg_child_friendly_wards a
          on a.ward_code = w.ward_code and a.assessment_year <= year(p.period_end)
        where w.is_current
        qualify row_number() over (partition by w.ward_code order by a.assessment_year desc nulls last) = 1
        order by w.ward_code
        """,
        period_key,
    )
    if frame.empty:
        return pd.DataFrame(columns=columns)
    standing, detail = [], []
    for row in frame.itertuples(index=False):
        if pd.isna(row.assessment_year):
            standing.append(t("Chưa tự đánh giá", "Not self-assessed"))
            detail.append(standing[-1])
            continue
        standing.append(t("Đạt", "Meets") if bool(row.meets_standard) else t("Chưa đạt", "Does not meet"))
        points = formatting.number(int(row.total_points))
        if not pd.isna(row.max_points):
            points += "/" + formatting.number(int(row.max_points))
        text = (
            f"{standing[-1]} · {points} {t('điểm', 'points')}, "
            f"{int(row.criteria_met)}/{int(row.criteria_required)} {t('tiêu chí', 'criteria')}"
        )
        if int(row.assessment_year) != int(row.period_year):
            text += t(" (tự đánh giá năm ", " (self-assessed in ") + f"{int(row.assessment_year)})"
        detail.append(text)
    return frame.assign(standing=standing, standing_detail=detail)[columns]


def previous_period(period_key: str) -> dict | None:
    """The period of the same type (and report kind) that ended last before this one."""
    frame = query(
        """
        select prev.period_key, prev.label_vi, prev.label_en
        from dim_period cur
        join dim_period prev
          on prev.period_type = cur.period_type
         and coalesce(prev.report_kind, '') = coalesce(cur.report_kind, '')
         and prev.period_end < cur.period_end
        where cur.period_key = ?
        order by prev.period_end desc
        limit 1
        """,
        period_key,
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def current_wards() -> pd.DataFrame:
    """The 15 wards of today: ward_code, ward_name."""
    return query("select ward_code, ward_name from dim_ward where is_current order by ward_name")


def ward_year_trend(ward_code: str, year: int) -> pd.DataFrame:
    """Year-to-date value at the end of each month of the year ('T3/2025', in order), for the ward and
    the district; dropout only from March on and never negative, as `dropout_trend` draws it."""
    return query(
        f"""
        select f.indicator_code, f.org_unit_code, f.org_unit_name, f.org_unit_level,
               f.period_key, f.period_end, 'T' || month(f.period_end) || '/' || year(f.period_end) as month,
               case when f.indicator_code = 'dtp_dropout'
                     and (month(f.period_end) < {DROPOUT_FROM_MONTH} or f.value < 0) then null
                    else f.value end as value,
               f.target
        from fct_ward_indicators f
        where f.period_type = 'ytd' and year(f.period_end) = ?
          and (f.org_unit_code = ? or f.org_unit_level = 'district')
          and f.period_end <= coalesce((select max(cast(data_as_of as date)) from serving_meta),
                                       f.period_end)
        order by f.indicator_code, f.org_unit_level, f.period_end
        """,
        year,
        ward_code,
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


# --- protection, quality and child lists ---

PROTECTION_INDICATORS = ("hcdb_supported", "abuse_timely_intervention", "injury_deaths")

# Names of every org unit the quality tables use: today's wards, pre-2025 wards, the district.
_ORG_UNIT_NAMES = """
    org_units as (
        select ward_code as org_unit_code, arg_max(ward_name, is_current) as org_unit_name
        from dim_ward group by ward_code
        union all
        select distinct district_code, district_name from dim_ward
    )
"""


def has_table(name: str) -> bool:
    """Whether the serving copy holds the table (an older copy may predate it)."""
    frame = query("select count(*) as n from duckdb_tables() where table_name = ?", name)
    return not frame.empty and int(frame.iloc[0]["n"]) > 0


def protection_indicators(period_type: str, period_key: str) -> pd.DataFrame:
    """The protection indicators per ward and the district for one period, with the catalogue's
    direction and target comparison (the row's target is the period's, e.g. 90% of 2024's deaths)."""
    marks = ", ".join("?" for _ in PROTECTION_INDICATORS)
    return query(
        f"""
        select f.org_unit_code, f.org_unit_name, f.org_unit_level, f.indicator_code,
               f.numerator, f.denominator, f.value, f.target, f.meets_target, f.baseline, f.suppressed,
               f.numerator_mark, f.denominator_mark, f.baseline_mark, f.value_mark,
               i.direction, i.target_comparison
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code in ({marks}) and f.period_type = ? and f.period_key = ?
        order by f.org_unit_level = 'district', f.org_unit_name
        """,
        *PROTECTION_INDICATORS,
        period_type,
        period_key,
    )


def hcdb_children_groups() -> pd.DataFrame:
    """HCĐB children per ward × group on the latest register day (counts only); empty when the
    serving copy has no such table yet."""
    if not has_table("agg_hcdb_children_groups"):
        return pd.DataFrame()
    return query(
        f"""
        with {_ORG_UNIT_NAMES}
        select a.as_of_date, a.ward_code, o.org_unit_name as ward_name, a.hcdb_group_code,
               a.group_sort_order, a.group_name_vi, a.group_name_en, a.children, a.children_supported
        from agg_hcdb_children_groups a
        left join org_units o on o.org_unit_code = a.ward_code
        where a.as_of_date = (select max(as_of_date) from agg_hcdb_children_groups)
        order by a.group_sort_order, ward_name
        """
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
        with {_ORG_UNIT_NAMES},
        sources as (select source, any_value(name_vi) as source_name from extract_calendar group by source)
        select s.org_unit_code, coalesce(o.org_unit_name, s.org_unit_code) as org_unit_name,
               s.org_unit_level, s.source, coalesce(src.source_name, s.source) as source_name,
               s.period_type, s.period_key, s.deadline, s.first_submitted_at, s.days_late,
               s.files_received, s.files_quarantined, s.superseded,
               case when s.received and s.on_time then 'on_time'
                    when s.received then 'late'
                    when s.deadline >= current_date then 'pending'
                    else 'missing' end as status
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
        with {_ORG_UNIT_NAMES},
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
        with {_ORG_UNIT_NAMES}
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
        with {_ORG_UNIT_NAMES},
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
        with {_ORG_UNIT_NAMES}
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


def restricted_path() -> Path:
    """The restricted serving file of child lists (only written when the lists are enabled)."""
    return home_from_env().serving_restricted


def restricted_version() -> float | None:
    return _version(restricted_path())


LISTS_OUT_OF_STEP = (
    "Danh sách đang được cập nhật: tệp danh sách và số liệu đang hiển thị thuộc hai lần xuất bản khác "
    "nhau, nên danh sách tạm chưa hiển thị. Hãy tải lại trang sau khi lượt chạy `treem run` hiện tại "
    "kết thúc; nếu vẫn thấy thông báo này, hãy chạy lại `treem run`."
)
LISTS_OUT_OF_STEP_EN = (
    "The lists are being updated: the list file and the figures shown come from two different "
    "publishes, so the lists are not shown for now. Reload the page once the current `treem run` has "
    "finished; if this message remains, run `treem run` again."
)


class ListsOutOfStep(RuntimeError):
    """The restricted file and the serving copy were not published together: its lists would not match
    the figures (a publish is under way or was cut short, or a file predates the publish stamps)."""

    def __init__(self) -> None:
        super().__init__(LISTS_OUT_OF_STEP)


def _publish_id(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str | None:
    """The publish stamp of an attached file; None for a file published before the stamps."""
    stamped = con.execute(
        "select count(*) from duckdb_columns() "
        "where database_name = ? and table_name = ? and column_name = 'publish_id'",
        [catalog, table],
    ).fetchone()[0]
    if not stamped:
        return None
    return con.execute(f"select any_value(publish_id) from {catalog}.{table}").fetchone()[0]


@st.cache_data(show_spinner=False, max_entries=32)
def _read_lists(
    path: str, serving: str, sql: str, params: tuple, versions: tuple, viewer: Viewer | None
) -> pd.DataFrame:
    con = scope.connect(path, versions[0], viewer)
    try:
        # the stamps are compared on the files this connection holds open, the ones the rows come from:
        # a publish that replaces either meanwhile cannot slip a file of another run in between
        if not os.path.exists(serving):
            raise ListsOutOfStep
        con.execute("attach ? as serving (read_only)", [serving])
        lists_id = _publish_id(con, "s", "restricted_meta")
        if lists_id is None or lists_id != _publish_id(con, "serving", "serving_meta"):
            raise ListsOutOfStep
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def _query_lists(sql: str, params: tuple) -> pd.DataFrame:
    """``sql`` over the restricted file, through the viewer's views of it; empty when there is none.
    Raises ``ListsOutOfStep`` unless it and the serving copy bear the same publish stamp (a file with
    no stamp, published before the stamps, matches nothing)."""
    path, serving = restricted_path(), serving_path()
    version = _version(path)
    if version is None:
        return pd.DataFrame()
    versions = (version, _version(serving))
    return _read_lists(os.fspath(path), os.fspath(serving), sql, params, versions, auth.current_viewer())


def restricted_wards() -> pd.DataFrame:
    """Ward codes with at least one child listed: ward_code, children."""
    return _query_lists(
        "select ward_code, count(distinct member_key) as children from child_reconciliation group by all",
        (),
    )


def child_list(ward_code: str) -> pd.DataFrame:
    """The children of one ward who still need something (restricted file only; one row per child ×
    check × item, e.g. each overdue dose); empty when the file is missing."""
    return _query_lists(
        """
        select as_of_date, check_code, ward_code, member_key, child_name, mother_name, birth_date, sex,
               residence, age_months, registration_date, card_valid_to, vaccine_code, dose_number,
               due_date, days_overdue, last_support_date, source
        from child_reconciliation
        where ward_code = ?
        order by check_code, child_name, birth_date, vaccine_code, dose_number
        """,
        (ward_code,),
    )


def reconciliation_check_names() -> pd.DataFrame:
    """The cross-source checks (serving copy): check_code, sort_order, name_vi, name_en, description_vi."""
    return query(
        "select check_code, sort_order, name_vi, name_en, description_vi, description_en "
        "from reconciliation_checks order by sort_order"
    )


# --- health and registration pages ---


PERIOD_ORDER = ("year", "report", "ytd", "half_year", "quarter", "month")


def sector_periods(
    codes: tuple[str, ...], types: tuple[str, ...] = ("year", "report", "month"), counts: bool = False
) -> pd.DataFrame:
    """The periods a sector page offers: those in which any of the indicators has a figure (a
    denominator above zero; with ``counts``, a numerator above zero will do), of the ``types`` asked
    for — the plan's indicator report periods as the report workbooks print them, never the
    work-results ones — and the year still running (year to date), in PERIOD_ORDER, newest first:
    period_type, period_key, period_start, period_end, label_vi, label_en (dim_period's)."""
    marks = ", ".join("?" for _ in codes)
    kinds = ", ".join(f"'{k}'" for k in types if k in PERIOD_ORDER)
    order = " ".join(f"when '{k}' then {i}" for i, k in enumerate(PERIOD_ORDER))
    figure = "(denominator > 0 or numerator > 0)" if counts else "denominator > 0"
    return query(
        f"""
        with periods as (
            select distinct period_type, period_key, period_start, period_end
            from fct_ward_indicators
            where indicator_code in ({marks}) and {figure}
        ),
        running as (
            select * from periods
            where period_type = 'ytd'
              and year(period_end) not in (select year(period_end) from periods where period_type = 'year')
            qualify period_end = max(period_end) over (partition by year(period_end))
        ),
        chosen as (
            select * from periods where period_type in ({kinds})
              and period_key not in (select period_key from dim_period where report_kind = 'work_results')
            union all
            select * from running
        )
        select c.*, p.label_vi, p.label_en
        from chosen c left join dim_period p using (period_key)
        order by case c.period_type {order} end, c.period_start desc, c.period_end desc, c.period_key
        """,
        *codes,
    )


def ward_indicator(code: str, period_type: str, period_key: str) -> pd.DataFrame:
    """One indicator for one period: every ward and the district (last), with numerator,
    denominator, value, target and the catalogue's target comparison and direction."""
    return query(
        """
        select f.org_unit_code, f.org_unit_name, f.org_unit_level, f.numerator, f.denominator,
               f.value, f.target, f.meets_target, i.target_comparison, i.direction
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code = ? and f.period_type = ? and f.period_key = ?
        order by f.org_unit_level = 'district', f.org_unit_name
        """,
        code,
        period_type,
        period_key,
    )


def doses_by_vaccine_dose(months: tuple[str, ...]) -> pd.DataFrame:
    """Doses per ward × vaccine × dose number over the given months ('2025-03', ...), with the
    vaccine's label and schedule order (dim_vaccine), wards of today only."""
    marks = ", ".join("?" for _ in months)
    return query(
        f"""
        with labels as (
            select vaccine_code, dose_number, any_value(vaccine_label_vi) as vaccine_vi,
                   any_value(vaccine_name_en) as vaccine_en, min(recommended_age_days) as age_days,
                   bool_or(in_full_immunisation) as in_full_immunisation
            from dim_vaccine
            group by all
        )
        select a.ward_code, w.ward_name, a.vaccine_code, a.dose_number,
               coalesce(l.vaccine_vi, a.vaccine_code) as vaccine_vi,
               coalesce(l.vaccine_en, a.vaccine_code) as vaccine_en,
               l.age_days, l.in_full_immunisation, sum(a.doses) as doses
        from agg_immunization_ward_months a
        join (select ward_code, ward_name from dim_ward where is_current) w using (ward_code)
        left join labels l using (vaccine_code, dose_number)
        where a.dose_month in ({marks})
        group by all
        order by l.age_days nulls last, a.vaccine_code, a.dose_number, w.ward_name
        """,
        *months,
    )


def dtp_monthly(year: int, ward_code: str | None = None) -> pd.DataFrame:
    """DTP (DPT-VGB-Hib) doses 1 and 3 per month of the year, for the district (ward_code None)
    or one ward: dose_month ('2025-03'), dtp1, dtp3; months without doses are absent."""
    return query(
        """
        select dose_month,
               coalesce(sum(doses) filter (where dose_number = 1), 0) as dtp1,
               coalesce(sum(doses) filter (where dose_number = 3), 0) as dtp3
        from agg_immunization_ward_months
        where vaccine_code = 'DTP_HEPB_HIB' and dose_month like ? || '-%'
          and (? is null or ward_code = ?)
        group by dose_month
        order by dose_month
        """,
        str(year),
        ward_code,
        ward_code,
    )


def target_population(year: int, ward_code: str | None = None) -> int | None:
    """The year's fully-immunised denominator (register children whose first birthday falls in
    the year), for the district (ward_code None) or one ward; None when there is no such figure."""
    frame = query(
        """
        select denominator
        from fct_ward_indicators
        where indicator_code = 'fully_immunised_under1' and period_type = 'year' and period_key = ?
          and (case when ? is null then org_unit_level = 'district' else org_unit_code = ? end)
        """,
        str(year),
        ward_code,
        ward_code,
    )
    if frame.empty or pd.isna(frame.iloc[0]["denominator"]) or frame.iloc[0]["denominator"] <= 0:
        return None
    return int(frame.iloc[0]["denominator"])


def vitamin_a_rounds() -> pd.DataFrame:
    """Vitamin A coverage per round (the June and December months) for every ward and the
    district, rounds with a denominator only, newest round first."""
    return query(
        """
        select f.period_key, f.period_start, f.org_unit_code, f.org_unit_name, f.org_unit_level,
               f.numerator, f.denominator, f.value, f.target, f.meets_target,
               i.target_comparison, i.direction
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code = 'vitamin_a_coverage' and f.period_type = 'month'
          and month(f.period_start) in (6, 12)
          and f.period_key in (
              select period_key from fct_ward_indicators
              where indicator_code = 'vitamin_a_coverage' and period_type = 'month' and denominator > 0
          )
        order by f.period_start desc, f.org_unit_level = 'district', f.org_unit_name
        """
    )


def report_periods() -> pd.DataFrame:
    """The report periods of the calendar the data covers, latest first: period_key, label_vi,
    label_en, period_start, period_end, deadline."""
    return query(
        """
        select period_key, label_vi, label_en, period_start, period_end, deadline
        from dim_period p
        where period_type = 'report'
          and exists (select 1 from fct_ward_indicators f where f.period_key = p.period_key)
        order by period_end desc, deadline desc, period_key
        """
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _report_workbook(path: str, period_key: str, ward_code: str | None, version: float) -> bytes:
    from reports.build import report_bytes

    return report_bytes(path, period_key, ward_code)


def report_editions() -> list[str | None]:
    """The report editions the viewer may export (None: the district's, with small counts hidden). A
    ward's edition shows the ward's small counts in full: protection officers only (a ward officer
    exports none: the district's edition holds the other wards)."""
    viewer = auth.current_viewer()
    if viewer is None or viewer.role == Role.WARD_OFFICER:
        return []  # a ward's edition shows its small counts in full, the district's other wards
    if viewer.sees_small_counts:
        return [viewer.ward_code] if viewer.ward_code else [None, *current_wards()["ward_code"]]
    return [None]


def report_workbook(period_key: str, ward_code: str | None = None) -> Callable[[], bytes]:
    """The report workbook (district edition, or one ward's) for a download button: the permission is
    checked now, in the viewer's session (``PermissionError`` for an edition the viewer may not
    export); the workbook is built when the button is clicked."""
    if ward_code not in report_editions():
        raise PermissionError(f"edition {ward_code or 'district'} is not allowed for this account")
    path = serving_path()
    version = _version(path)
    return lambda: _report_workbook(os.fspath(path), period_key, ward_code, version)


# --- the audit log: looks at child-level data and exports ---


def log(action: str, ward_code: str | None, detail: str | None = None) -> None:
    """Append to the audit log for the signed-in viewer."""
    viewer = auth.current_viewer()
    if viewer is not None:
        audit.record(home_from_env().root, viewer.username, action, viewer.role.value, ward_code, detail)


def log_once(action: str, ward_code: str | None, detail: str | None = None) -> None:
    """Log a look at a list once per session and ward (a page reruns at every click)."""
    seen = st.session_state[auth.SESSION_KEY].setdefault("logged", set())
    if (action, ward_code) not in seen:
        seen.add((action, ward_code))
        log(action, ward_code, detail)


def audit_entries(limit: int = 500) -> pd.DataFrame:
    """The latest audit log entries, newest first: for data engineers only (empty for anyone else)."""
    viewer = auth.current_viewer()
    if viewer is None or not viewer.sees_quality_detail:
        return pd.DataFrame()
    return pd.DataFrame(audit.entries(home_from_env().root, limit))


def audit_verdict() -> audit.Verdict | None:
    """Whether the audit log's hash chain holds: for data engineers only (None for anyone else)."""
    viewer = auth.current_viewer()
    if viewer is None or not viewer.sees_quality_detail:
        return None
    return audit.verify(home_from_env().root)


def protection_cases() -> pd.DataFrame:
    """The protection cases one by one (pseudonymous codes, no names) from the restricted file: the
    protection officer's ward, or the whole district; empty for every other role."""
    return _query_lists(
        """
        select p.ward_code, p.case_id, p.child_code, p.age, p.sex, p.abuse_type, p.reported_date,
               p.intervened_date, p.days_to_intervention, p.timely, p.support_measure, p.case_status
        from protection_cases p
        order by p.reported_date desc, p.ward_code, p.case_id
        """,
        (),
    )
