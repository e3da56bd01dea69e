"""treem's dbt resource skips dagster-dbt's two start-up costs (a `dbt --version` process and a dbt
adapter built in the run process) and still runs dbt as dagster-dbt does."""

from __future__ import annotations

import inspect
import re
import subprocess

import dagster_dbt.core.resource as dagster_dbt_resource
from dagster_dbt import DbtCliResource
from packaging.version import Version

from orchestration.dbt_project import DBT_EXECUTABLE, TreemDbtCli, dbt_resource


def test_the_skipped_steps_are_the_ones_dagster_dbt_calls_before_each_command():
    """If dagster-dbt renames either, the override would silently stop saving anything."""
    cli = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in cli
    assert "self._initialize_dbt_core_adapter(" in cli
    assert "_cli_version" in vars(TreemDbtCli)
    assert "_initialize_dbt_core_adapter" in vars(TreemDbtCli)


def test_the_version_is_the_one_dbt_prints():
    printed = subprocess.check_output([str(DBT_EXECUTABLE), "--version"], text=True)
    assert dbt_resource()._cli_version == Version(re.search(r"(\d+\.\d+\.\d+)", printed).group(1))
    assert dbt_resource()._cli_version.major == 1  # dbt Core, not Fusion: dagster-dbt behaves as for Core


def test_a_dbt_command_starts_no_version_process_and_builds_no_adapter(tmp_path, monkeypatch):
    calls = []  # dagster-dbt catches an error in building the adapter: record the calls instead
    monkeypatch.setattr(dagster_dbt_resource, "check_output", lambda *a, **k: calls.append(a) or b"1.11.0")
    monkeypatch.setattr(DbtCliResource, "_initialize_dbt_core_adapter", lambda *a: calls.append(a))
    monkeypatch.setenv("TREEM_HOME", str(tmp_path))
    listed = dbt_resource().cli(
        ["ls", "--select", "dim_ward", "--output", "name"], target_path=tmp_path / "target"
    )
    lines = [event.raw_event["info"]["msg"] for event in listed.stream_raw_events()]
    assert listed.is_successful()
    assert listed.adapter is None
    assert "dim_ward" in lines
    assert calls == []
