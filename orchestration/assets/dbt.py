"""The dbt project (staging, dimensions, facts, indicator mart) as Dagster assets; tests become checks."""

from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import treem_dbt_project
from orchestration.resources import WAREHOUSE_POOL, HomeResource


@dbt_assets(manifest=treem_dbt_project.manifest_path, project=treem_dbt_project, pool=WAREHOUSE_POOL)
def treem_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, treem_home: HomeResource
) -> Iterator:
    # run artefacts (run_results, compiled SQL, logs) go to the home folder, not into the repository
    yield from dbt.cli(["build"], context=context, target_path=treem_home.home.dbt_target).stream()
