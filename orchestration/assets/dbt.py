"""The dbt project (staging, dimensions, facts, indicator mart) as Dagster assets; tests become checks."""

from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from base.file_modes import fix_modes
from orchestration.dbt_project import treem_dbt_project
from orchestration.resources import WAREHOUSE_POOL, HomeResource


class DbtBuildConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="Rebuild the incremental facts from scratch (after an upgrade that changes them).",
    )


def dbt_build_args(full_refresh: bool) -> list[str]:
    """`dbt build` without the unit tests: they check the SQL, not the data, so the test suite runs
    them (tests/warehouse/test_dbt_unit_tests.py) and a pipeline run does not pay for them."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    return [*args, "--full-refresh"] if full_refresh else args


@dbt_assets(manifest=treem_dbt_project.manifest_path, project=treem_dbt_project, pool=WAREHOUSE_POOL)
def treem_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, treem_home: HomeResource, config: DbtBuildConfig
) -> Iterator:
    # run artefacts (run_results, compiled SQL, logs) go to the home folder, not into the repository
    args = dbt_build_args(config.full_refresh)
    try:
        yield from dbt.cli(args, context=context, target_path=treem_home.home.dbt_target).stream()
    finally:
        # dagster-dbt copies the project's partial parse file in with the project's file mode
        fix_modes(treem_home.home.dbt_target)
