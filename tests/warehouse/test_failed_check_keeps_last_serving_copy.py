"""A failing dbt test stops the run before publish: `treem run` fails, the last serving copy stays."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from base.home import Home
from tests.conftest import use

pytestmark = pytest.mark.slow  # each runs the pipeline on a copy of the fixture home


def test_duplicate_dose_fails_the_build_and_publish_does_not_run(fixture_pipeline, pointed_env, tmp_path):
    from orchestration.run_once import run_pipeline

    source, _ = fixture_pipeline
    home = Home(tmp_path / "home")
    shutil.copytree(source.root, home.root, ignore=shutil.ignore_patterns("dagster", "logs"))
    before = home.serving.read_bytes()
    con = duckdb.connect(str(home.warehouse))
    # a second copy of a loaded row breaks the uniqueness of dose_id
    con.execute("insert into raw.immunization select * from raw.immunization limit 1")
    con.close()

    use(home)
    try:
        summary = run_pipeline(home, force=True)  # a hand edit of the warehouse is no new file
    finally:
        use(pointed_env)

    assert not summary.success
    assert summary.failed_steps == ["treem_dbt_assets"]
    assert any("unique_stg_immunization__doses_dose_id" in name for name in summary.checks_failed)
    assert "xuất bản (serving copy)" not in summary.stage_seconds
    assert home.serving.read_bytes() == before
