"""Everything one report workbook shows, read from the serving copy (never the warehouse).

A ward's edition asks every query for that ward only, so another ward's figures are never read.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import duckdb

from access.indicator_suppression import hide_small_counts, small_count_rows
from base.errors import UserError
from policy import child_friendly
from reports.config import load_config
from serving.contract import DISTRICT_CODE, open_serving


@dataclass(frozen=True)
class ReportPeriod:
    key: str
    label_vi: str
    start: dt.date
    end: dt.date
    deadline: dt.date
    kind: str


@dataclass(frozen=True)
class Ward:
    code: str
    name: str


@dataclass(frozen=True)
class SignoffMark:
    """How an edition is signed off: the approval it was frozen by (``changes`` None), or the approval it
    amends, with each figure changed since (``changes``: reports.signoff.changes rows)."""

    approval_id: str
    approved_at: dt.datetime
    approved_by: str
    changes: list[dict] | None = None

    @property
    def amended(self) -> bool:
        return self.changes is not None


@dataclass
class ReportData:
    period: ReportPeriod
    ward: Ward | None  # None: the district-wide edition
    wards: list[Ward]  # the rows of every ward table (the one ward in its own edition)
    district_name: str
    data_as_of: dt.datetime | None
    # fct_ward_indicators rows of the period (wards, and the district), with the catalogue's
    # target_comparison and direction
    indicators: list[dict]
    catalogue: list[dict]  # dim_indicator, in catalogue order
    vaccines: list[dict]  # dim_vaccine, in schedule order
    doses: dict[tuple[str, str], int]  # (ward, vaccine_dose_key) -> doses given in the period
    hcdb_groups: list[dict]  # dim_hcdb_group
    hcdb: dict[tuple[str, str], dict]  # (ward, group) -> children, children_supported at the period end
    abuse_types: list[dict]
    injury_causes: list[dict]
    protection: dict[tuple[str, str], dict]  # (ward, abuse type) -> cases, cases_timely
    injuries: dict[tuple[str, str], dict]  # (ward, cause) -> events, deaths
    submissions: list[dict]  # fct_report_submissions rows of the extracts whose period ends in the window
    sources: dict[str, str] = field(default_factory=dict)  # source -> Vietnamese name
    # the last report of its kind in its year only: each ward's latest child-friendly self-assessment of a
    # year up to the report's, against the data (agg_child_friendly_cross_check rows), and its criteria
    # (fct_child_friendly_cross_check rows with their evidence parts, as ``_child_friendly`` reads
    # them); None in the other reports
    child_friendly_wards: list[dict] | None = None
    child_friendly_criteria: list[dict] | None = None
    small_count_threshold: int = 5  # report.yaml's, set by the builder
    signoff: SignoffMark | None = None  # a frozen or an amended edition (reports.signoff)

    @property
    def district_edition(self) -> bool:
        return self.ward is None

    def indicator(self, org_unit: str, code: str) -> dict | None:
        return self._indicators.get((org_unit, code))

    def __post_init__(self) -> None:
        self._indicators = {(r["org_unit_code"], r["indicator_code"]): r for r in self.indicators}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# what a report reads that an older serving copy may lack: (table, column)
REPORT_NEEDS = (
    ("agg_protection_ward_months", "cases"),
    ("agg_injury_ward_months", "deaths"),
    ("agg_hcdb_children_groups", "as_of_date"),
    ("fct_report_submissions", "quarantined_file_name"),
    ("protection_categories", "name_vi"),
    ("dim_indicator", "target_comparison"),
    ("dim_indicator", "direction"),
    ("agg_child_friendly_cross_check", "contradicted"),
    ("fct_child_friendly_cross_check", "verdict"),
    ("fct_child_friendly_evidence", "points"),
)


def report_periods(serving: os.PathLike) -> list[dict]:
    """The report periods of the calendar (seed report_calendar) and whether the data covers them."""
    con = open_serving(serving)
    try:
        return read_report_periods(con)
    finally:
        con.close()


def read_report_periods(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return _rows(
        con,
        """
        select p.period_key, p.label_vi, p.period_start, p.period_end, p.deadline,
               exists (select 1 from fct_ward_indicators f where f.period_key = p.period_key) as has_data
        from dim_period p
        where p.period_type = 'report'
        order by p.period_end, p.deadline, p.period_key
        """,
    )


def current_wards(serving: os.PathLike) -> list[Ward]:
    con = open_serving(serving)
    try:
        return read_wards(con)
    finally:
        con.close()


def read_wards(con: duckdb.DuckDBPyConnection, ward_code: str | None = None) -> list[Ward]:
    """Today's wards (or the one of ``ward_code``), by code."""
    rows = con.execute(
        "select ward_code, ward_name from dim_ward where is_current and (? is null or ward_code = ?) "
        "order by ward_code",
        [ward_code, ward_code],
    ).fetchall()
    return [Ward(code, name) for code, name in rows]


def _period(con: duckdb.DuckDBPyConnection, period_key: str) -> ReportPeriod:
    row = con.execute(
        "select period_key, label_vi, period_start, period_end, deadline, report_kind from dim_period "
        "where period_type = 'report' and period_key = ?",
        [period_key],
    ).fetchone()
    if row is None:
        known = [
            r[0]
            for r in con.execute(
                "select period_key from dim_period where period_type = 'report' order by period_end, "
                "period_key"
            ).fetchall()
        ]
        raise UserError(f"Không có kỳ báo cáo '{period_key}' trong lịch báo cáo; các kỳ: {', '.join(known)}")
    return ReportPeriod(*row)


def load_report_data(serving: os.PathLike, period_key: str, ward_code: str | None = None) -> ReportData:
    """Read one report's figures: the district edition (every ward and the district), or one ward's."""
    con = open_serving(serving, REPORT_NEEDS)
    try:
        return read_report_data(con, period_key, ward_code)
    finally:
        con.close()


def read_report_data(
    con: duckdb.DuckDBPyConnection, period_key: str, ward_code: str | None = None
) -> ReportData:
    """``load_report_data`` on a serving copy already open (and checked against REPORT_NEEDS)."""
    period = _period(con, period_key)
    wards = read_wards(con, ward_code)
    if ward_code is not None and not wards:
        raise UserError(f"Không có phường mã '{ward_code}' trong danh sách phường hiện nay.")
    codes = [w.code for w in wards] + ([] if ward_code else [DISTRICT_CODE])
    marks = ", ".join("?" for _ in codes)
    indicators = _rows(
        con,
        # with the catalogue's comparison and direction: the judgement is policy.status's, as on screen
        f"""
        select f.*, i.target_comparison, i.direction
        from fct_ward_indicators f left join dim_indicator i using (indicator_code)
        where f.period_key = ? and f.org_unit_code in ({marks})
        order by f.org_unit_code, f.indicator_code
        """,
        [period_key, *codes],
    )
    if not indicators:
        as_of = con.execute("select max(period_end) from fct_ward_indicators").fetchone()[0]
        raise UserError(
            f"Chưa đủ số liệu cho kỳ '{period_key}' ({period.label_vi}, đến {period.end:%d/%m/%Y}): số "
            f"liệu đã nạp mới đến {as_of:%d/%m/%Y}."
            if as_of
            else f"Chưa có số liệu nào cho kỳ '{period_key}'."
        )
    ward_marks = ", ".join("?" for _ in wards)
    ward_codes = [w.code for w in wards]
    window = [period.start, period.end]
    doses = con.execute(
        f"""
        select ward_code, vaccine_code || '-' || dose_number, sum(doses)::bigint
        from agg_immunization_ward_months
        where dose_month between strftime(?::date, '%Y-%m') and strftime(?::date, '%Y-%m')
          and ward_code in ({ward_marks})
        group by all
        order by all
        """,
        [*window, *ward_codes],
    ).fetchall()
    hcdb = _rows(
        con,
        f"""
        select ward_code, hcdb_group_code, children, children_supported from agg_hcdb_children_groups
        where as_of_date = ? and ward_code in ({ward_marks})
        order by ward_code, hcdb_group_code
        """,
        [period.end, *ward_codes],
    )
    protection = _rows(
        con,
        f"""
        select ward_code, abuse_type,
               sum(cases)::bigint as cases, sum(cases_timely)::bigint as cases_timely
        from agg_protection_ward_months
        where month_start between ? and ? and ward_code in ({ward_marks})
        group by all
        order by all
        """,
        [*window, *ward_codes],
    )
    injuries = _rows(
        con,
        f"""
        select ward_code, cause, sum(events)::bigint as events, sum(deaths)::bigint as deaths
        from agg_injury_ward_months
        where month_start between ? and ? and ward_code in ({ward_marks})
        group by all
        order by all
        """,
        [*window, *ward_codes],
    )
    categories = _rows(
        con, "select category, code, name_vi from protection_categories order by category, sort_order"
    )
    submissions = _rows(
        con,
        f"""
        select s.*, p.label_vi as period_label_vi
        from fct_report_submissions s
        left join dim_period p using (period_key)
        where s.period_end between ? and ?
          and (s.org_unit_code in ({ward_marks}) or (? is null and s.org_unit_level = 'district'))
        order by s.org_unit_code, s.source, s.period_end, s.period_key
        """,
        [*window, *ward_codes, ward_code],
    )
    district_name = con.execute("select any_value(district_name) from dim_ward where is_current").fetchone()[
        0
    ]
    annual = con.execute(
        "select max(period_end) = ? from dim_period "
        "where period_type = 'report' and report_kind = ? and year(period_end) = ?",
        [period.end, period.kind, period.end.year],
    ).fetchone()[0]
    wards_checked, criteria = (
        _child_friendly(con, period.end.year, ward_codes, ward_code is None) if annual else (None, None)
    )
    return ReportData(
        period=period,
        ward=wards[0] if ward_code else None,
        wards=wards,
        district_name=district_name or "",
        data_as_of=con.execute("select data_as_of from serving_meta").fetchone()[0],
        indicators=indicators,
        catalogue=_rows(con, "select * from dim_indicator order by rowid"),
        vaccines=_rows(
            con,
            "select vaccine_dose_key, vaccine_code, dose_number, vaccine_name_vi from dim_vaccine "
            "order by recommended_age_days, vaccine_code, dose_number",
        ),
        doses={(w, key): n for w, key, n in doses},
        hcdb_groups=_rows(con, "select * from dim_hcdb_group order by sort_order"),
        hcdb={(r["ward_code"], r["hcdb_group_code"]): r for r in hcdb},
        abuse_types=[c for c in categories if c["category"] == "abuse_type"],
        injury_causes=[c for c in categories if c["category"] == "injury_cause"],
        protection={(r["ward_code"], r["abuse_type"]): r for r in protection},
        injuries={(r["ward_code"], r["cause"]): r for r in injuries},
        submissions=submissions,
        sources=dict(
            con.execute(
                "select source, any_value(name_vi) from extract_calendar group by source order by source"
            ).fetchall()
        ),
        child_friendly_wards=wards_checked,
        child_friendly_criteria=criteria,
    )


def _child_friendly(
    con: duckdb.DuckDBPyConnection, year: int, ward_codes: list[str], district_edition: bool
) -> tuple[list[dict], list[dict]]:
    """Each ward's latest self-assessment of a year up to ``year`` against the data
    (agg_child_friendly_cross_check rows), and its 13 criteria (fct_child_friendly_cross_check rows)
    with their evidence ``parts`` (indicator short names, unit, numerator, denominator, marks,
    missing_reason). The district-wide edition reads them as the dashboard shows them to a reader
    outside the protection team (policy.child_friendly.withheld, on the same hidden counts)."""
    frames = [con.execute(f"select * from {table}").df() for table in child_friendly.TABLES]
    if district_edition:
        hidden = hide_small_counts(small_count_rows(con), load_config().small_count_threshold)
        frames = list(child_friendly.withheld(*frames, hidden))
    criteria, evidence, wards = (frame.astype(object).where(frame.notna(), None) for frame in frames)
    wards = wards[wards["ward_code"].isin(ward_codes) & (wards["assessment_year"] <= year)]
    wards = wards.sort_values("assessment_year").groupby("ward_code").tail(1).sort_values("ward_code")
    keys = ["ward_code", "assessment_year", "criterion"]
    criteria = criteria.merge(wards[["ward_code", "assessment_year"]], on=["ward_code", "assessment_year"])
    catalogue = {
        code: (name, unit)
        for code, name, unit in con.execute(
            "select indicator_code, short_vi, unit from indicators"
        ).fetchall()
    }
    parts: dict[tuple, list[dict]] = {}
    for part in evidence.sort_values([*keys, "part"]).to_dict("records"):
        code = part["indicator_code"]
        parts.setdefault(tuple(part[k] for k in keys), []).append(
            {
                "indicator_code": code,
                "short_vi": catalogue.get(code, (code, None))[0],
                "unit": catalogue.get(code, (code, None))[1],
                "numerator": part["numerator"],
                "denominator": part["denominator"],
                "numerator_mark": part.get("numerator_mark"),
                "denominator_mark": part.get("denominator_mark"),
                "missing_reason": part["missing_reason"],
            }
        )
    rows = [
        row | {"parts": parts.get(tuple(row[k] for k in keys), [])}
        for row in criteria.sort_values(keys).to_dict("records")
    ]
    return wards.to_dict("records"), rows
