"""The dbt project (staging, dimensions, facts, indicator mart) as Dagster assets; tests become checks."""

import json
import logging
import re
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from base.file_modes import fix_modes
from orchestration.dbt_project import prepare_manifest, treem_dbt_project
from orchestration.dbt_state import UNCHANGED_SEED, keep_seed_state, leave_out, take_unchanged_seeds
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
    home = treem_home.home
    # parsed again if the project changed since (a run from the sensor or the UI does not parse it)
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    unchanged = take_unchanged_seeds(home, manifest)
    # a run of part of the graph (chosen in Dagster's UI) keeps dagster-dbt's own test selection, and
    # leaves no state: the seeds it did not build may be older than the files it would record
    whole = not context.is_subset
    left_out = unchanged if whole and not config.full_refresh else {}
    args = dbt_build_args(config.full_refresh) + leave_out(manifest, left_out)
    if left_out:
        context.log.info(
            f"{len(left_out)} bảng tham chiếu (seed) như lần dựng tốt trước: không nạp, không kiểm thử lại."
        )
        # their tables are those the last good build loaded: the steps that read them (publish,
        # reports) go on, and Dagster takes a multi-asset's outputs in the order of the graph
        for name, key in context.assets_def.keys_by_output_name.items():
            spec = context.assets_def.specs_by_key[key]
            if name in context.selected_output_names and spec.metadata["dagster_dbt/unique_id"] in left_out:
                yield dg.Output(None, output_name=name, metadata={UNCHANGED_SEED: "như lần dựng tốt trước"})
    try:
        # run artefacts (run_results, compiled SQL, logs) go to the home folder, not into the repository
        yield from dbt.cli(args, context=context, target_path=home.dbt_target).stream()
        if whole and not keep_seed_state(home, left_out):
            context.log.warning("Một bảng tham chiếu (seed) đổi trong lúc chạy: lần chạy sau nạp lại tất cả.")
    finally:
        # dagster-dbt copies the project's partial parse file in with the project's file mode
        fix_modes(home.dbt_target)


_NO_RESULT = re.compile(r"Blocking asset check '(?P<asset>[^':]+):[^']*' emitted no result")


class SeedChecksLeftOut(logging.Filter):
    """Drops Dagster's warning that a blocking check of a seed emitted no result. A successful build
    leaves a seed's own tests out only when the seed is unchanged, which the step and the run's
    summary already say; without this, every such run logs 105 of these lines."""

    def __init__(self, seed_assets: set[str]) -> None:
        super().__init__()
        self.seed_assets = seed_assets

    def filter(self, record: logging.LogRecord) -> bool:
        found = _NO_RESULT.match(record.getMessage())
        return not (found and found["asset"] in self.seed_assets)


def _quiet_seed_checks() -> None:
    # the logger of Dagster's execution plan, in whichever process runs the plan (treem run's own,
    # or the run worker the Dagster UI launches): both import these definitions
    plan_logger = logging.getLogger("dagster._core.execution.plan.active")
    if not any(isinstance(f, SeedChecksLeftOut) for f in plan_logger.filters):
        seeds = {
            key.to_user_string()
            for key, spec in treem_dbt_assets.specs_by_key.items()
            if spec.metadata["dagster_dbt/unique_id"].startswith("seed.")
        }
        plan_logger.addFilter(SeedChecksLeftOut(seeds))


_quiet_seed_checks()
