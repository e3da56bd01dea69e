"""A run whose publish or reports did not run, with no check to block them, is not a success: the
summary names the steps, and the run is not recorded as complete."""

from __future__ import annotations

import dagster as dg

from orchestration.run_once import RunSummary, format_summary, unfinished_steps


@dg.multi_asset(outs={"tables": dg.AssetOut(is_required=False)})
def build_without_output():
    # as a dbt build that yields no output for a table the publish reads
    yield from ()


@dg.asset(deps=["tables"])
def serving_copy() -> None:
    return None


@dg.asset
def other() -> None:
    return None


@dg.asset(deps=["other"])
def period_reports() -> None:
    return None


@dg.asset(check_specs=[dg.AssetCheckSpec("rows_valid", asset="checked", blocking=True)])
def checked():
    yield dg.Output(None)
    yield dg.AssetCheckResult(check_name="rows_valid", passed=False)


@dg.asset(deps=["checked"])
def published() -> None:
    return None


def test_the_steps_left_without_input_are_named():
    result = dg.materialize([build_without_output, serving_copy, other, period_reports])
    assert result.success  # Dagster's own verdict
    assert unfinished_steps(result) == ["serving_copy"]


def test_nothing_is_named_when_every_step_ran():
    assert unfinished_steps(dg.materialize([other, period_reports])) == []


def test_a_publish_stopped_by_a_blocking_check_is_reported_as_such_not_as_unfinished():
    result = dg.materialize([checked, published], raise_on_error=False)
    assert not [e for e in result.get_step_success_events() if e.step_key == "published"]
    assert unfinished_steps(result) == []


def test_the_summary_says_the_run_did_not_finish_its_work():
    summary = RunSummary("0123456789", False, None, skipped_steps=["serving_copy", "period_reports"])
    text = format_summary(summary)
    assert "(THẤT BẠI)" in text
    assert "Bước không chạy (bước trước không cho kết quả): serving_copy, period_reports" in text
