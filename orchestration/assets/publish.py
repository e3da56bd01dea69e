"""Publish: copy the marts the dashboard reads into a new serving file and swap it in atomically."""

import os

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import treem_dbt_assets
from orchestration.resources import WAREHOUSE_POOL, HomeResource

# The serving copy's contract with the dashboard: these tables, with these names.
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
)
PUBLISHED_SEEDS = (
    "indicators",
    "validation_rules",
    "reconciliation_checks",
    "extract_calendar",
    "protection_categories",
)
# The Great Expectations outcomes of the latest check run, counts only (the failing values stay in the
# warehouse: they may be personal IDs).
GX_RESULTS = """
create table gx_results as
select * exclude (sample, arguments)
from warehouse.dq.gx_results
where run_id = (select arg_max(run_id, checked_at) from warehouse.dq.gx_results)
"""


# The restricted serving file: child-level lists, kept apart from the serving copy; the dashboard opens
# it only for the roles allowed (the ward's children to follow up for ward officers, the cases one by
# one for protection officers), and only for their ward.
RESTRICTED_TABLES = {  # name in the restricted file → (warehouse schema, model, what it selects)
    "child_reconciliation": ("restricted", "child_reconciliation", "*"),
    "protection_cases": ("marts", "fct_protection_cases", "* exclude (file_id)"),
}
RESTRICTED_MODELS = tuple(model for _, model, _ in RESTRICTED_TABLES.values())


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def publish_restricted_copy(warehouse: os.PathLike, restricted: os.PathLike) -> dict[str, int]:
    """Write the child-level lists to ``restricted``.tmp and rename it over ``restricted``; returns row
    counts."""
    restricted = os.fspath(restricted)
    staging_file = restricted + ".tmp"
    _remove(staging_file)
    counts = {}
    con = duckdb.connect(staging_file)
    try:
        con.execute("attach ? as warehouse (read_only)", [os.fspath(warehouse)])
        for table, (schema, model, columns) in RESTRICTED_TABLES.items():
            con.execute(f"create table {table} as select {columns} from warehouse.{schema}.{model}")
            counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
        con.execute("create table restricted_meta as select current_localtimestamp() as published_at")
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
    os.chmod(staging_file, 0o600)  # names and cases: readable by the account that runs treem only
    os.replace(staging_file, restricted)
    return counts


def _published() -> list[tuple[str, str]]:
    return [("marts", m) for m in PUBLISHED_MODELS] + [("reference", s) for s in PUBLISHED_SEEDS]


def publish_serving_copy(
    warehouse: os.PathLike, serving: os.PathLike, restricted: os.PathLike | None = None
) -> dict[str, int]:
    """Write the published tables to ``serving``.tmp, then rename it over ``serving``; returns row counts.
    With ``restricted``, also write the restricted file of child-level lists, see
    ``publish_restricted_copy``; its tables count as ``restricted.<table>``."""
    serving = os.fspath(serving)
    staging_file = serving + ".tmp"
    if os.path.exists(staging_file):
        os.remove(staging_file)  # left by a run that crashed mid-publish
    counts = {}
    con = duckdb.connect(staging_file)
    try:
        con.execute("attach ? as warehouse (read_only)", [os.fspath(warehouse)])
        for schema, table in _published():
            con.execute(f"create table {table} as select * from warehouse.{schema}.{table}")
            counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
        con.execute(
            """
            create table serving_meta as
            select
                current_localtimestamp() as published_at,
                max(received_at) filter (where outcome = 'loaded') as data_as_of,
                count(*) filter (where outcome = 'loaded') as files_loaded,
                count(*) filter (where outcome = 'quarantined') as files_quarantined
            from warehouse.raw.file_registry
            """
        )
        has_gx = con.execute(
            "select count(*) from duckdb_tables() where database_name = 'warehouse' "
            "and schema_name = 'dq' and table_name = 'gx_results'"
        ).fetchone()[0]
        if has_gx:
            con.execute(GX_RESULTS)
            counts["gx_results"] = con.execute("select count(*) from gx_results").fetchone()[0]
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(staging_file, serving)
    if restricted is not None:
        lists = publish_restricted_copy(warehouse, restricted)
        counts.update({f"restricted.{t}": n for t, n in lists.items()})
    return counts


@dg.asset(
    key="serving_copy",
    group_name="publish",
    description="The read-only DuckDB file the dashboard reads, replaced atomically after each good build.",
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
