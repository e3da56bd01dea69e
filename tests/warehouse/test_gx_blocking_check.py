"""A blocking Great Expectations check stops the publish. Here a vaccine code that the products no longer
know (as after a seed edit that renamed it) reaches staging: dbt's relationship test only warns, but
every figure needing that vaccine would be wrong, so `treem run` exits non-zero naming the check, the
serving copy stays as it was, and dq.gx_results keeps the failing expectation with its counts."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from base.home import Home
from tests.conftest import use

pytestmark = pytest.mark.slow  # each runs the pipeline on a copy of the fixture home


def test_an_unknown_vaccine_code_blocks_the_publish(fixture_pipeline, pointed_env, tmp_path, capsys):
    from treem.cli import main

    source, _ = fixture_pipeline
    home = Home(tmp_path / "home")
    shutil.copytree(source.root, home.root, ignore=shutil.ignore_patterns("dagster", "logs"))
    before = home.serving.read_bytes()
    con = duckdb.connect(str(home.warehouse))
    con.execute("update raw.immunization set vaccine_code = 'OPV_CU' where vaccine_code = 'OPV'")
    con.close()

    use(home)
    try:
        exit_code = main(["run", "--force"])  # a hand edit of the warehouse is no new file
    finally:
        use(pointed_env)

    printed = capsys.readouterr().out
    assert exit_code == 1
    assert "KHÔNG XUẤT BẢN" in printed
    assert "gx_stg_immunization__doses" in printed
    assert "column_values_to_be_in_set(product_code)" in printed
    assert home.serving.read_bytes() == before
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        failed = con.execute(
            "select model, expectation, blocking, rows_checked, unexpected_count from dq.gx_results "
            "where not success and blocking order by all"
        ).fetchall()
    finally:
        con.close()
    # the OPV doses among the ten loaded: Mộ Lao's and Văn Quán's (agg_immunization_ward_months)
    assert failed == [("stg_immunization__doses", "column_values_to_be_in_set(product_code)", True, 10, 2)]
