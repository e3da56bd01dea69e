"""The Great Expectations suites as asset checks (dbt's tests, the district-sum test among them, arrive
as checks through dagster-dbt). Blocking checks stop the publish step: the dashboard keeps the last
good serving copy."""

from collections.abc import Iterator

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from base.clock import data_now
from orchestration.assets.dbt import treem_dbt_assets
from orchestration.quality.gx_suites import SuiteOutcome, run_suite, suites
from orchestration.quality.results import record_outcomes
from orchestration.resources import WAREHOUSE_POOL, HomeResource


def _outcome_table(outcome: SuiteOutcome) -> str:
    lines = [
        "| kỳ vọng (expectation) | chặn | đạt | số dòng lỗi | % | giá trị quan sát |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for o in outcome.outcomes:
        cells = (
            f"`{o.expectation.label}`",
            "có" if o.expectation.blocking else "",
            "✓" if o.success else "✗",
            "" if o.unexpected_count is None else str(o.unexpected_count),
            "" if o.unexpected_percent is None else f"{o.unexpected_percent:.2f}",
            o.observed_value or "",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def suite_result(outcome: SuiteOutcome) -> dg.AssetCheckResult:
    """A suite's outcome as a check result: ERROR (blocking the publish) when an expectation marked
    blocking failed, WARN when only the others did."""
    failed, blocking = outcome.failed, outcome.blocking_failed
    description = None
    if failed:
        names = "; ".join(o.expectation.explained for o in (blocking or failed))
        description = (
            f"{len(failed)}/{len(outcome.outcomes)} kỳ vọng không đạt"
            + (f", {len(blocking)} chặn xuất bản" if blocking else "")
            + f": {names}"
        )
    return dg.AssetCheckResult(
        asset_key=get_asset_key_for_model([treem_dbt_assets], outcome.suite.model),
        check_name=outcome.suite.check_name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "rows_checked": outcome.rows,
            "expectations": len(outcome.outcomes),
            "failed": len(failed),
            "blocking_failed": len(blocking),
            "results": dg.MetadataValue.md(_outcome_table(outcome)),
        },
    )


@dg.multi_asset_check(
    name="great_expectations_suites",
    specs=[
        dg.AssetCheckSpec(
            suite.check_name,
            asset=get_asset_key_for_model([treem_dbt_assets], suite.model),
            blocking=suite.blocking,
            description=f"Great Expectations suite of {suite.model} (orchestration/quality/suites.yaml)",
        )
        for suite in suites()
    ],
    pool=WAREHOUSE_POOL,
    description="Great Expectations suites on each staging source and on the indicator mart; results are "
    "also kept in dq.gx_results.",
)
def great_expectations_suites(
    context: dg.AssetCheckExecutionContext, treem_home: HomeResource
) -> Iterator[dg.AssetCheckResult]:
    with treem_home.warehouse(read_only=True) as con:
        now = data_now(treem_home.home.generated)  # a demo home: the demo's own today
        outcomes = [run_suite(con, suite, now) for suite in suites()]
    with treem_home.warehouse() as con:
        record_outcomes(con, context.run.run_id, outcomes)
    for outcome in outcomes:
        yield suite_result(outcome)
