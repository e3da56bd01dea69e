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

from access.indicator_suppression import (
    MARK_COLUMNS,
    SMALL_COUNT_INDICATORS,
    hide_small_counts,
    small_count_rows,
)
from access.roles import Viewer
from base import duckdb_limits
from policy import child_friendly
from reports.config import load_config
from serving.contract import WARD_COLUMNS

PROTECTION_TABLES = {
    "agg_protection_ward_months",
    "agg_injury_ward_months",
    "protection_cases",
    "agg_hcdb_children_groups",  # per ward and group: abused, trafficked, HIV… in ones and twos
}
PROTECTION_SOURCES = "('protection_cases', 'injuries')"
# a child-friendly criterion read from protection counts: its warning (self ≠ data) says what the hidden
# score would (policy/child_friendly.py), so outside the protection role it is not listed
CHILD_FRIENDLY_PROTECTION_RULES = (
    f"rule_id in (select rule_id from s.validation_rules where source in {PROTECTION_SOURCES} "
    "and left_side like '#{child_friendly.%')"
)
# outside the protection role, the counts other tables hold of protection and injury files are masked:
# table → (the rows concerned, the columns set to null)
MASKED_COUNTS = {
    "agg_quality_ward_sources": (
        f"source in {PROTECTION_SOURCES}",
        ("rows_loaded", "rows_rejected", "rejected_share", "open_violations"),
    ),
    "fct_count_outliers": (
        f"source in {PROTECTION_SOURCES}",
        ("value", "median", "mad", "mean_absolute_deviation", "modified_z"),
    ),
    "fct_validation_violations": (
        f"rule_id in (select rule_id from s.validation_rules where source in {PROTECTION_SOURCES})",
        ("left_value", "right_value"),
    ),
}
CHILD_LIST_TABLES = {"child_reconciliation"}
ENGINEER_TABLES = {"gx_results"}
ENGINEER_COLUMNS = {
    "agg_quality_ward_sources": ("latest_file_name", "latest_file_reason"),
    "fct_report_submissions": ("quarantined_file_name", "quarantine_reason"),
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


@lru_cache(maxsize=8)
def _hidden_small_counts(path: str, version: float) -> pd.DataFrame:
    """The protection and injury indicator rows of the serving copy as everyone but the protection role
    reads them (``access.indicator_suppression.hide_small_counts``)."""
    con = duckdb_limits.connect(path, read_only=True)
    try:
        rows = small_count_rows(con)
    finally:
        con.close()
    return hide_small_counts(rows, load_config().small_count_threshold)


@lru_cache(maxsize=8)
def _withheld_child_friendly(path: str, version: float) -> dict[str, tuple[pd.DataFrame, str]]:
    """The child-friendly cross-check's tables as everyone but the protection role reads them
    (policy.child_friendly.withheld, on the same hidden counts as the indicator views): per table, the
    withheld rows in the published columns and the select list that types them as published. Built
    once per publish, not per query."""
    con = duckdb_limits.connect(path, read_only=True)
    try:
        frames = [con.execute(f"select * from {table}").df() for table in child_friendly.TABLES]
        types = {
            table: con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = ? "
                "order by column_index",
                [table],
            ).fetchall()
            for table in child_friendly.TABLES
        }
    finally:
        con.close()
    withheld = child_friendly.withheld(*frames, _hidden_small_counts(path, version))
    return {
        table: (
            frame[[name for name, _ in types[table]]],
            ", ".join(f'cast("{name}" as {kind}) as "{name}"' for name, kind in types[table]),
        )
        for table, frame in zip(child_friendly.TABLES, withheld, strict=True)
    }


def _withheld_view(con: duckdb.DuckDBPyConnection, path, version, table: str, where: str) -> str:
    """The view of one cross-check table for a reader outside the protection role."""
    frame, columns = _withheld_child_friendly(os.fspath(path), version)[table]
    con.register(f"withheld_{table}", frame)
    return f"create view {table} as select * from (select {columns} from withheld_{table}) where {where}"


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
        if table == "fct_validation_violations" and not (viewer and viewer.sees_small_counts):
            where = f"({where}) and not {CHILD_FRIENDLY_PROTECTION_RULES}"
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
        elif table in child_friendly.TABLES and allowed and not viewer.sees_small_counts:
            con.execute(_withheld_view(con, path, version, table, where))
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
