"""A blocking Great Expectations check stops the publish: an open protection case listed again in the
next month's file would be counted twice, so `treem run` exits non-zero naming the check, the serving
copy stays as it was, and dq.gx_results keeps the failing expectation with its counts."""

from __future__ import annotations

import shutil

import duckdb

from tests.conftest import use
from tests.ingestion.test_sources import _cases, protection_file
from treem.home import Home


def test_a_case_listed_in_two_months_blocks_the_publish(fixture_pipeline, pointed_env, tmp_path, capsys):
    from treem.cli import main

    source, _ = fixture_pipeline
    home = Home(tmp_path / "home")
    shutil.copytree(source.root, home.root, ignore=shutil.ignore_patterns("dagster", "logs"))
    before = home.serving.read_bytes()
    inbox = home.source_inbox("protection_cases")
    inbox.mkdir(parents=True)
    protection_file(inbox / "BaoVeTreEm_KienHung_T03-2025.xlsx", 3, _cases(1, 2))
    protection_file(inbox / "BaoVeTreEm_KienHung_T04-2025.xlsx", 4, _cases(2))  # case 02 again

    use(home)
    try:
        exit_code = main(["run"])
    finally:
        use(pointed_env)

    printed = capsys.readouterr().out
    assert exit_code == 1
    assert "KHÔNG XUẤT BẢN" in printed
    assert "gx_stg_protection_cases__cases" in printed
    assert "column_values_to_be_unique(case_id)" in printed
    assert home.serving.read_bytes() == before
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        failed = con.execute(
            "select model, expectation, blocking, rows_checked, unexpected_count from dq.gx_results "
            "where not success and blocking order by all"
        ).fetchall()
    finally:
        con.close()
    assert failed == [("stg_protection_cases__cases", "column_values_to_be_unique(case_id)", True, 3, 2)]
