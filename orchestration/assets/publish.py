"""Publish: write the restricted file and the serving copy, both stamped with one publish id, then
swap them in, the restricted file first. The dashboard shows the child lists only when the two
stamps agree, so a publish cut short anywhere never pairs lists with figures of another run."""

import os
import uuid
from collections.abc import Callable

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from base import duckdb_limits
from orchestration.assets.dbt import treem_dbt_assets
from orchestration.resources import WAREHOUSE_POOL, HomeResource
from serving.contract import (
    PUBLISHED_MODELS,
    PUBLISHED_SEEDS,
    RESTRICTED_META,
    RESTRICTED_MODELS,
    RESTRICTED_TABLES,
    SERVING_META,
)

# The Great Expectations outcomes of the latest check run, counts only (the failing values stay in the
# warehouse: they may be personal IDs).
GX_RESULTS = """
create table gx_results as
select * exclude (sample, arguments)
from warehouse.dq.gx_results
where run_id = (select arg_max(run_id, checked_at) from warehouse.dq.gx_results)
"""


def _published() -> list[tuple[str, str]]:
    return [("marts", m) for m in PUBLISHED_MODELS] + [("reference", s) for s in PUBLISHED_SEEDS]


def _write_serving(con: duckdb.DuckDBPyConnection, publish_id: str) -> dict[str, int]:
    counts = {}
    for schema, table in _published():
        con.execute(f"create table {table} as select * from warehouse.{schema}.{table}")
        counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
    con.execute(
        f"""
        create table {SERVING_META} as
        select
            current_localtimestamp() as published_at,
            max(received_at) filter (where outcome = 'loaded') as data_as_of,
            count(*) filter (where outcome = 'loaded') as files_loaded,
            count(*) filter (where outcome = 'quarantined') as files_quarantined,
            ? as publish_id
        from warehouse.raw.file_registry
        """,
        [publish_id],
    )
    has_gx = con.execute(
        "select count(*) from duckdb_tables() where database_name = 'warehouse' "
        "and schema_name = 'dq' and table_name = 'gx_results'"
    ).fetchone()[0]
    if has_gx:
        con.execute(GX_RESULTS)
        counts["gx_results"] = con.execute("select count(*) from gx_results").fetchone()[0]
    return counts


def _write_restricted(con: duckdb.DuckDBPyConnection, publish_id: str) -> dict[str, int]:
    counts = {}
    for table, (schema, model, columns) in RESTRICTED_TABLES.items():
        con.execute(f"create table {table} as select {columns} from warehouse.{schema}.{model}")
        counts[f"restricted.{table}"] = con.execute(f"select count(*) from {table}").fetchone()[0]
    con.execute(
        f"create table {RESTRICTED_META} as select current_localtimestamp() as published_at, ? as publish_id",
        [publish_id],
    )
    return counts


def _stage(
    warehouse: os.PathLike,
    target: str,
    write: Callable[[duckdb.DuckDBPyConnection, str], dict[str, int]],
    publish_id: str,
) -> tuple[str, dict[str, int]]:
    """Write ``target``.tmp from the warehouse, complete and closed; returns its path and row counts.
    A staging file (and write-ahead log) left by a publish that crashed is removed first, unread."""
    staging_file = target + ".tmp"
    for leftover in (staging_file, staging_file + ".wal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    con = duckdb_limits.connect(staging_file)
    try:
        con.execute("attach ? as warehouse (read_only)", [os.fspath(warehouse)])
        counts = write(con, publish_id)
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
    return staging_file, counts


def publish_serving_copy(
    warehouse: os.PathLike, serving: os.PathLike, restricted: os.PathLike | None = None
) -> dict[str, int]:
    """Publish the serving copy (and, with ``restricted``, the restricted file of child-level lists,
    whose tables count as ``restricted.<table>``); returns row counts.

    Both files are written to ``.tmp`` files first, stamped with one new publish id (``serving_meta``
    and ``restricted_meta``), then renamed over the published ones: the restricted file first, the
    serving copy last. A crash before the first rename leaves the published pair as it was; between
    the two, the restricted file is ahead of the serving copy and their stamps differ, so the
    dashboard refuses the lists until the next publish rewrites both."""
    publish_id = uuid.uuid4().hex
    serving = os.fspath(serving)
    if restricted is not None:
        restricted = os.fspath(restricted)
        staged_lists, list_counts = _stage(warehouse, restricted, _write_restricted, publish_id)
        os.chmod(staged_lists, 0o600)  # names and cases: readable by the account that runs treem only
    staged_serving, counts = _stage(warehouse, serving, _write_serving, publish_id)
    if restricted is not None:
        os.replace(staged_lists, restricted)
        counts.update(list_counts)
    os.replace(staged_serving, serving)
    return counts


@dg.asset(
    key="serving_copy",
    group_name="publish",
    description=(
        "The read-only DuckDB files the dashboard reads (the serving copy and the restricted file of "
        "child lists), stamped with one publish id and replaced atomically after each good build."
    ),
    deps=[
        get_asset_key_for_model([treem_dbt_assets], name)
        for name in PUBLISHED_MODELS + PUBLISHED_SEEDS + RESTRICTED_MODELS
    ],
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
)
def serving_copy(context: dg.AssetExecutionContext, treem_home: HomeResource) -> dg.MaterializeResult:
    home = treem_home.home
    counts = publish_serving_copy(home.warehouse, home.serving, restricted=home.serving_restricted)
    context.log.info(f"Đã xuất bản bản phục vụ {home.serving}: {counts}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(home.serving)),
            **{f"rows_{t}": n for t, n in counts.items()},
        }
    )
