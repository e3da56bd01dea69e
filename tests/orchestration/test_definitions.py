"""The Definitions load and the asset graph is wired as designed."""

from __future__ import annotations

import dagster as dg
import pytest


@pytest.fixture(scope="module")
def defs(pointed_env):
    from orchestration.definitions import defs

    return defs


def test_asset_graph_keys(defs):
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {
        "raw/immunization",
        "raw/file_registry",
        "staging/stg_immunization__doses",
        "marts/dim_ward",
        "marts/dim_date",
        "marts/dim_vaccine",
        "marts/fct_immunization_doses",
        "marts/agg_immunization_ward_months",
        "marts/fct_ward_indicators",
        "reference/wards",
        "reference/vaccine_schedule",
        "reference/indicators",
        "serving_copy",
        "period_reports",
    } <= keys


def test_dbt_staging_reads_what_ingestion_writes_and_publish_follows_the_marts(defs):
    graph = defs.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_immunization__doses"])
    assert dg.AssetKey(["raw", "immunization"]) in graph.get(staging).parent_keys
    assert dg.AssetKey(["marts", "fct_ward_indicators"]) in graph.get(dg.AssetKey("serving_copy")).parent_keys
    assert graph.get(dg.AssetKey("period_reports")).parent_keys == {dg.AssetKey("serving_copy")}


def test_warehouse_writers_share_the_one_writer_pool(defs):
    for key in (["raw", "immunization"], ["marts", "fct_ward_indicators"], ["serving_copy"]):
        node = defs.resolve_assets_def(dg.AssetKey(key)).node_def
        assert node.pool == "treem_warehouse", key


def test_dbt_tests_are_asset_checks(defs):
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_fct_immunization_doses_dose_id" in checks
    assert "validation_rule_sides_parse_completely" in checks  # a singular test, attached by its meta
    assert len(checks) >= 30


def test_inbox_sensor_and_job(defs):
    sensor = defs.resolve_sensor_def("inbox_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "treem_all"


def test_the_home_instance_runs_one_warehouse_writer_at_a_time(pointed_env, tmp_path):
    from orchestration.instance import home_instance
    from tests.conftest import fresh_home, use

    instance = home_instance(fresh_home(tmp_path / "home"))
    try:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    finally:
        instance.dispose()
        use(pointed_env)


def test_the_manifest_is_parsed_again_when_a_project_file_changes(tmp_path, monkeypatch):
    from orchestration import dbt_project

    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "target").mkdir()
    model = project / "models" / "a.sql"
    model.write_text("select 1 as x")
    monkeypatch.setattr(dbt_project, "DBT_PROJECT_DIR", project)
    first = dbt_project.project_fingerprint()
    (project / "target" / "manifest.json").write_text("{}")  # parse outputs do not count
    assert dbt_project.project_fingerprint() == first
    model.rename(project / "models" / "b.sql")  # a rename keeps the modification time
    renamed = dbt_project.project_fingerprint()
    assert renamed != first
    (project / "models" / "b.sql").write_text("select 2 as x")
    assert dbt_project.project_fingerprint() not in (first, renamed)


def test_great_expectations_suites_are_checks_on_every_staging_model_and_the_mart(defs):
    from orchestration.quality.gx_suites import suites

    graph = defs.resolve_asset_graph()
    gx_checks = {
        (k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys if k.name.startswith("gx_")
    }
    assert gx_checks == {
        *((f"staging/{s.model}", s.check_name) for s in suites() if s.model.startswith("stg_")),
        ("marts/fct_ward_indicators", "gx_fct_ward_indicators"),
    }
    assert len(gx_checks) == 10  # nine sources and the indicator mart
    specs = {spec.name: spec for spec in defs.resolve_assets_def("serving_copy").check_specs} or {
        spec.name: spec for checks in defs.asset_checks or [] for spec in getattr(checks, "check_specs", [])
    }
    assert specs["gx_fct_ward_indicators"].blocking
    assert specs["gx_stg_protection_cases__cases"].blocking
