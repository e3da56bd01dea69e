"""The serving copy's contract, in one place: the tables publish writes (the serving copy of figures
and the restricted file of child lists), the column that names each table's ward, the district's
code, the stamp that pairs the two files, and the check a reader makes before it trusts a copy."""

from __future__ import annotations

import os
from collections.abc import Iterable

import duckdb

from base import duckdb_limits
from base.district import DISTRICT_CODE
from base.errors import UserError

__all__ = [
    "DISTRICT_CODE",
    "PUBLISHED_MODELS",
    "PUBLISHED_SEEDS",
    "RESTRICTED_META",
    "RESTRICTED_MODELS",
    "RESTRICTED_TABLES",
    "SERVING_META",
    "WARD_COLUMNS",
    "open_serving",
    "pair_is_current",
    "publish_id",
]

# Aggregates and dimensions only: no table here holds a child's name, ID or key.
PUBLISHED_MODELS = (
    "dim_ward",
    "dim_period",
    "dim_indicator",
    "dim_hcdb_group",
    "dim_vaccine",
    "agg_immunization_ward_months",
    "agg_child_linkage",
    "fct_ward_indicators",
    "fct_report_submissions",
    "fct_validation_violations",
    "fct_count_outliers",
    "agg_child_reconciliation",
    "agg_quality_ward_sources",
    "agg_hcdb_children_groups",
    "agg_protection_ward_months",
    "agg_injury_ward_months",
    "agg_child_friendly_wards",
    "fct_child_friendly_evidence",
    "fct_child_friendly_cross_check",
    "agg_child_friendly_cross_check",
)
PUBLISHED_SEEDS = (
    "indicators",
    "validation_rules",
    "reconciliation_checks",
    "extract_calendar",
    "protection_categories",
)
SERVING_META = "serving_meta"  # published_at, data_as_of, files loaded and quarantined, publish_id

# The restricted file: child-level lists, kept apart from the serving copy; the dashboard opens it only
# for the roles allowed, and only for their ward. Name in the file → (warehouse schema, model, columns).
RESTRICTED_TABLES = {
    "child_reconciliation": ("restricted", "child_reconciliation", "*"),
    "protection_cases": ("marts", "fct_protection_cases", "* exclude (file_id)"),
}
RESTRICTED_MODELS = tuple(model for _, model, _ in RESTRICTED_TABLES.values())
RESTRICTED_META = "restricted_meta"  # published_at, publish_id

# table (of either file) → the column that names its ward (today's code, or a code that maps to it)
WARD_COLUMNS = {
    "fct_ward_indicators": "org_unit_code",
    "fct_report_submissions": "org_unit_code",
    "agg_quality_ward_sources": "org_unit_code",
    "agg_immunization_ward_months": "ward_code",
    "agg_child_linkage": "ward_code",
    "fct_validation_violations": "ward_code",
    "fct_count_outliers": "ward_code",
    "agg_child_reconciliation": "ward_code",
    "agg_hcdb_children_groups": "ward_code",
    "agg_protection_ward_months": "ward_code",
    "agg_injury_ward_months": "ward_code",
    "agg_child_friendly_wards": "ward_code",
    "fct_child_friendly_evidence": "ward_code",
    "fct_child_friendly_cross_check": "ward_code",
    "agg_child_friendly_cross_check": "ward_code",
    "dim_ward": "current_ward_code",
    "child_reconciliation": "ward_code",
    "protection_cases": "ward_code",
}


def publish_id(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str | None:
    """The publish stamp of an attached file's meta table; None for a file published before the stamps."""
    stamped = con.execute(
        "select count(*) from duckdb_columns() "
        "where database_name = ? and table_name = ? and column_name = 'publish_id'",
        [catalog, table],
    ).fetchone()[0]
    if not stamped:
        return None
    return con.execute(f"select any_value(publish_id) from {catalog}.{table}").fetchone()[0]


def pair_is_current(con: duckdb.DuckDBPyConnection, restricted: str, serving: str) -> bool:
    """Whether the restricted file and the serving copy attached as these catalogs were published
    together (a file without a stamp matches nothing)."""
    lists_id = publish_id(con, restricted, RESTRICTED_META)
    return lists_id is not None and lists_id == publish_id(con, serving, SERVING_META)


def open_serving(path: os.PathLike, needs: Iterable[tuple[str, str]] = ()) -> duckdb.DuckDBPyConnection:
    """The serving copy opened read-only, once it is known to hold every (table, column) of ``needs``;
    otherwise a UserError in Vietnamese saying what to do (no copy yet, unreadable, or published by an
    older treem)."""
    if not os.path.exists(path):
        raise UserError(f"Chưa có bản phục vụ {os.fspath(path)}: hãy chạy `treem run` trước.")
    try:
        con = duckdb_limits.connect(path, read_only=True)
    except duckdb.Error as error:
        raise UserError(f"Không mở được bản phục vụ {os.fspath(path)}: {error}") from error
    present = set(con.execute("select table_name, column_name from information_schema.columns").fetchall())
    missing = [f"{table}.{column}" for table, column in needs if (table, column) not in present]
    if missing:
        con.close()
        raise UserError(
            f"Bản phục vụ {os.fspath(path)} được xuất bản bởi phiên bản treem cũ, thiếu "
            + ", ".join(missing)
            + ": hãy chạy lại `treem run`."
        )
    return con
