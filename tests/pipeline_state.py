"""What a home's data says, table by table, as (row count, order-independent content hash): to tell that
two pipeline histories (a clean run and a rebuild, a crash and its rerun) ended in the same data."""

from __future__ import annotations

from pathlib import Path

import duckdb

from base.home import Home

State = dict[str, tuple[int, str]]

# Columns that record when, or in which run, a publish or a check ran, not what the data says: a new
# uuid and the clock at each publish (serving_meta, restricted_meta), the Dagster run id and the time of
# the Great Expectations run whose outcomes are published (gx_results).
VOLATILE = {
    "serving_meta": ("published_at", "publish_id"),
    "restricted_meta": ("published_at", "publish_id"),
    "gx_results": ("run_id", "checked_at"),
}
FLOAT_DIGITS = 9  # a parallel sum of doubles may differ in its last bits from one run to the next


Ignored = dict[str, tuple[str, ...]]  # table → more columns to leave out of its hash


def _row_expression(con: duckdb.DuckDBPyConnection, schema: str, table: str, ignore: Ignored) -> str:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    kept = [
        f'round("{name}", {FLOAT_DIGITS}) as "{name}"' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, kind in columns
        if name not in VOLATILE.get(table, ()) + ignore.get(table, ())
    ]
    return ", ".join(kept) or "true as present"  # restricted_meta: only its row count is compared


def table_states(
    database: Path, schema: str = "main", prefix: str = "", ignore: Ignored | None = None
) -> State:
    """Each table of one schema of a DuckDB file: its row count and the md5 of its rows' JSON, sorted."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [schema],
            ).fetchall()
        ]
        state = {}
        for table in tables:
            rows = f'select {_row_expression(con, schema, table, ignore or {})} from "{schema}"."{table}"'
            state[prefix + table] = con.execute(
                "select count(*), md5(coalesce(string_agg(row_hash, ',' order by row_hash), '')) "
                f"from (select md5(to_json(t)::varchar) as row_hash from ({rows}) t)"
            ).fetchone()
    return state


def published_state(home: Home, ignore: Ignored | None = None) -> State:
    """Every table the dashboard and the reports read: the serving copy and the restricted file."""
    return {
        **table_states(home.serving, prefix="serving.", ignore=ignore),
        **table_states(home.serving_restricted, prefix="restricted.", ignore=ignore),
    }


def raw_state(home: Home, ignore: Ignored | None = None) -> State:
    """Every table of the warehouse's raw schema: the file registry, the rejects, one table per source."""
    return table_states(home.warehouse, schema="raw", ignore=ignore)


def stored_state(home: Home) -> dict[str, str]:
    """Every file in archive/ and quarantine/ (with the receipts and registry notes), by its md5."""
    import hashlib

    return {
        path.relative_to(home.root).as_posix(): hashlib.md5(path.read_bytes()).hexdigest()
        for folder in (home.archive, home.quarantine)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
