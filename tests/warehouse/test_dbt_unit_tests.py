"""dbt's unit tests (hand-computed expectations for every indicator, the identity rule, periods,
corrections): a pipeline run skips them, so the suite runs them here, on the fixture warehouse whose
models exist (dbt reads the column types of a unit test's inputs from them)."""

from __future__ import annotations

from tests.warehouse.dbt_results import dbt_test_results


def test_pipeline_builds_skip_unit_tests_and_full_refresh_is_asked_for(pointed_env):
    from orchestration.assets.dbt import dbt_build_args  # the dbt assets read the manifest on import

    assert dbt_build_args(False) == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(True) == ["build", "--exclude-resource-type", "unit_test", "--full-refresh"]


def test_every_dbt_unit_test_passes(fixture_home, pointed_env, tmp_path):
    home = fixture_home
    results = dbt_test_results(home, pointed_env, "test_type:unit", tmp_path / "target")
    failed = {r["unique_id"]: r["message"] for r in results if r["status"] != "pass"}
    assert failed == {}
    assert len(results) >= 30  # every indicator, the identity rule, periods, corrections, incremental cards
