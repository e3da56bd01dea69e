"""What one signed-in person may read of the serving copy, enforced where every query runs.

Each query opens an in-memory DuckDB database that attaches the serving copy read-only as ``s`` and
defines, under the published tables' own names, views limited to the viewer's role and ward: a ward's
people see their ward (and the district's figure beside it), never another ward; protection and
injury tables, and counts below the threshold, only for the protection role; file names, quarantine
reasons and check results only for data engineers. The dashboard's SQL names the tables as before
and can only read what these views let through.
"""

from __future__ import annotations

import os
from functools import lru_cache

import duckdb
import pandas as pd

from access.disclosure import marker, suppress
from access.roles import Viewer
from base import duckdb_limits
from reports.config import load_config
from serving.contract import WARD_COLUMNS

PROTECTION_TABLES = {
    "agg_protection_ward_months",
    "agg_injury_ward_months",
    "protection_cases",
    "agg_hcdb_children_groups",  # per ward and group: abused, trafficked, HIV… in ones and twos
}
PROTECTION_SOURCES = "('protection_cases', 'injuries')"
# outside the protection role, the counts other tables hold of protection and injury files are masked:
# table → (the rows concerned, the columns set to null)
MASKED_COUNTS = {
    "agg_quality_ward_sources": (
        f"source in {PROTECTION_SOURCES}",
        ("rows_loaded", "rows_rejected", "rejected_share"),
    ),
    "fct_count_outliers": (
        f"source in {PROTECTION_SOURCES}",
        ("value", "median", "mad", "mean_absolute_deviation", "modified_z"),
    ),
    "fct_validation_violations": (
        f"rule_id in (select rule_id from s.validation_rules where source in {PROTECTION_SOURCES})",
        ("left_value", "right_value"),
    ),
    # the figures behind the child-friendly cross-check: read through fct_ward_indicators instead
    "fct_child_friendly_evidence": (
        "indicator_code in ('abuse_timely_intervention', 'injury_deaths')",
        ("numerator", "denominator", "value"),
    ),
}
CHILD_LIST_TABLES = {"child_reconciliation"}
ENGINEER_TABLES = {"gx_results"}
ENGINEER_COLUMNS = {
    "agg_quality_ward_sources": ("latest_file_name", "latest_file_reason"),
    "fct_report_submissions": ("quarantined_file_name", "quarantine_reason"),
}
# indicator → the counts of it that are hidden when small (outside the protection role)
# how each hidden count of a row is written ("<5", "x"), and its value ("hidden" for a rate)
MARK_COLUMNS = ("numerator_mark", "denominator_mark", "baseline_mark", "value_mark")
SMALL_COUNT_INDICATORS = {
    "abuse_timely_intervention": ("numerator", "denominator"),
    "injury_deaths": ("numerator", "baseline"),
}


def _ward_filter(table: str, viewer: Viewer, has_dim_ward: bool = True) -> str:
    """The rows of ``table`` the viewer may read (an old ward code counts for today's ward, through
    dim_ward, where the file has it: the restricted file's rows carry today's ward)."""
    if viewer.ward_code is None or table not in WARD_COLUMNS:
        return "true"
    column = WARD_COLUMNS[table]
    ward = viewer.ward_code.replace("'", "")
    condition = (
        f"{column} = '{ward}'"
        if table == "dim_ward" or not has_dim_ward
        else f"{column} in (select ward_code from s.dim_ward where current_ward_code = '{ward}')"
    )
    if table == "fct_ward_indicators":  # the district's figure, beside the ward's
        condition += " or org_unit_level = 'district'"
    return condition


def _office_filter(table: str, viewer: Viewer, has_dim_ward: bool) -> str:
    """An office's own rows: its source, and its ward (or the district's row, for a district-wide source)."""
    source = (viewer.source or "").replace("'", "")
    ward = _ward_filter(table, viewer, has_dim_ward) if viewer.ward_code else "org_unit_level = 'district'"
    return f"source = '{source}' and ({ward})"


def _allowed(table: str, viewer: Viewer) -> bool:
    if viewer.sends_extracts:  # an office: what it owes and sent (views/submit.py), nothing else
        return table == "fct_report_submissions"
    if table in CHILD_LIST_TABLES:
        return viewer.sees_child_lists
    if table in PROTECTION_TABLES:
        return viewer.sees_small_counts
    if table in ENGINEER_TABLES:
        return viewer.sees_quality_detail
    return True


def shown_periods(rows: pd.DataFrame) -> pd.Series:
    """The rows whose period shows protection counts outside the protection role (small ones hidden):
    calendar years (a year to date through December is the same window, so it shows the same
    figures) and the plan's report periods, which the report workbooks print for every role that
    downloads them. Months, quarters and other year-to-date windows nest in these, so one period's
    totals minus another's would give hidden counts back: they show none."""
    start, end = pd.to_datetime(rows["period_start"]), pd.to_datetime(rows["period_end"])
    whole_year = (start.dt.month == 1) & (start.dt.day == 1) & (end.dt.month == 12) & (end.dt.day == 31)
    whole_year &= start.dt.year == end.dt.year
    return rows["period_type"].isin(("year", "report")) | whole_year


@lru_cache(maxsize=8)
def _hidden_small_counts(path: str, version: float) -> pd.DataFrame:
    """The protection and injury indicator rows for everyone but the protection role: counts of a
    calendar year with small ones hidden (complementary suppression per year and indicator over the
    wards and the district), counts of other periods not at all; hidden counts, what is computed from
    them and the member rows are null, marked, and ``suppressed`` says so."""
    con = duckdb_limits.connect(path, read_only=True)
    try:
        marks = ", ".join("?" for _ in SMALL_COUNT_INDICATORS)
        rows = con.execute(
            f"select * from fct_ward_indicators where indicator_code in ({marks})",
            list(SMALL_COUNT_INDICATORS),
        ).df()
    finally:
        con.close()
    threshold = load_config().small_count_threshold
    rows["suppressed"] = False
    hidden_cells, cells_of = [], {}
    other_periods = ~shown_periods(rows)
    for (_, code), group in rows[~other_periods].groupby(["period_key", "indicator_code"]):
        cells, lines = {}, []
        district = group.index[group["org_unit_level"] == "district"]
        wards = list(group.index[group["org_unit_level"] == "ward"])
        for measure in SMALL_COUNT_INDICATORS[code]:
            for i in group.index:
                value = group.at[i, measure]
                cells[(i, measure)] = None if pd.isna(value) else int(value)
            for d in district:
                lines.append(((d, measure), [(w, measure) for w in wards]))
        hidden_cells.extend(suppress(cells, lines, threshold))
        cells_of.update(cells)
    for column in ("numerator", "denominator", "baseline", "value", "target", "meets_target", "member_rows"):
        rows[column] = rows[column].astype("object")
    for column in MARK_COLUMNS:
        rows[column] = None
    rows["member_rows"] = None  # the rows behind a figure count the cases themselves
    by_year_only = [
        (i, measure)
        for i in rows.index[other_periods]
        for measure in SMALL_COUNT_INDICATORS[rows.at[i, "indicator_code"]]
        if not pd.isna(rows.at[i, measure])
    ]
    marks = {cell: marker(cells_of[cell], threshold) for cell in hidden_cells}
    marks.update({cell: "hidden" for cell in by_year_only})
    for (i, measure), mark in marks.items():
        # how the hidden count is written: "<5" (0-4), "x" (5 or more, hidden to protect another), or
        # "hidden" (shown for calendar years only)
        rows.at[i, f"{measure}_mark"] = mark
        rows.at[i, measure] = None
        rows.at[i, "suppressed"] = True
        # what is computed from a hidden count: the rate or count shown, or the target (90% of 2024)
        if measure in ("numerator", "denominator"):
            rows.at[i, "value"] = None
            is_count = rows.at[i, "indicator_code"] == "injury_deaths"
            rows.at[i, "value_mark"] = rows.at[i, "numerator_mark"] if is_count else "hidden"
        if measure == "baseline":
            rows.at[i, "target"] = None
        rows.at[i, "meets_target"] = None
    return rows


def connect(path: os.PathLike, version: float, viewer: Viewer | None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose tables are the viewer's views of the serving copy at ``path``;
    with no viewer (nobody signed in) every view is empty."""
    con = duckdb_limits.limit(duckdb.connect())
    con.execute("attach ? as s (read_only)", [os.fspath(path)])
    tables = [
        r[0]
        for r in con.execute("select table_name from duckdb_tables() where database_name = 's'").fetchall()
    ]
    for table in tables:
        allowed = viewer is not None and _allowed(table, viewer)
        filtered = _office_filter if viewer is not None and viewer.sends_extracts else _ward_filter
        where = filtered(table, viewer, "dim_ward" in tables) if allowed else "false"
        replaced = (
            []
            if viewer and viewer.sees_quality_detail
            else [f"null as {c}" for c in ENGINEER_COLUMNS.get(table, ())]
        )
        if table in MASKED_COUNTS and not (viewer and viewer.sees_small_counts):
            rows, columns = MASKED_COUNTS[table]
            replaced += [f"case when {rows} then null else {c} end as {c}" for c in columns]
        select = f"* replace ({', '.join(replaced)})" if replaced else "*"
        if table == "fct_ward_indicators":
            con.execute(_indicator_view(con, path, version, viewer, where))
        else:
            con.execute(f"create view {table} as select {select} from s.{table} where {where}")
    return con


# a ward's rank among every ward (1 = best, direction-aware), computed before the viewer's ward filter
# so that a ward's own people read "4/15", not "1/1"; figures hidden from the viewer, negative ones (a
# data question) and the child-friendly standing (met or not, per ward) are not ranked
RANKED = """
    select rows.*,
        case when ranked then rank() over (
            partition by period_key, indicator_code, ranked
            order by case when i.direction = 'lower_is_better' then value else -value end
        ) end as ward_rank,
        case when ranked then count(*) over (partition by period_key, indicator_code, ranked) end
            as wards_ranked
    from (
        select *, org_unit_level = 'ward' and value is not null and value >= 0
            and indicator_code <> 'child_friendly_ward' as ranked
        from ({rows})
    ) as rows
    left join s.indicators as i using (indicator_code)
"""


def _indicator_view(con, path, version, viewer: Viewer | None, where: str) -> str:
    no_marks = ", ".join(f"cast(null as varchar) as {c}" for c in MARK_COLUMNS)
    rows = f"select *, false as suppressed, {no_marks} from s.fct_ward_indicators"
    if viewer is not None and not viewer.sees_small_counts and _allowed("fct_ward_indicators", viewer):
        con.register("hidden_small_counts", _hidden_small_counts(os.fspath(path), version))
        marks = ", ".join(f"'{c}'" for c in SMALL_COUNT_INDICATORS)
        rows = f"""
            {rows} where indicator_code not in ({marks})
            union all by name
            select * replace (
                cast(numerator as bigint) as numerator, cast(denominator as bigint) as denominator,
                cast(baseline as bigint) as baseline, cast(value as double) as value,
                cast(member_rows as bigint) as member_rows,
                cast(target as double) as target, cast(meets_target as boolean) as meets_target,
                cast(period_start as date) as period_start, cast(period_end as date) as period_end,
                {", ".join(f"cast({c} as varchar) as {c}" for c in MARK_COLUMNS)}
            ) from hidden_small_counts
        """
    return (
        "create view fct_ward_indicators as "
        f"select * exclude (ranked) from ({RANKED.format(rows=rows)}) where {where}"
    )
