"""A run rewrites only the workbooks whose figures changed: the fixture home's serving copy, given the
figures of one report period (its March figures under the key of the 6-month report)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from reports.build import build_all, report_file_name
from reports.inputs import RECORD

PERIOD = "2025-BCT-6T"
WARD, WARD_FILE = "09541", "2025-BCT-6T_09541-mo-lao.xlsx"
DISTRICT_FILE = report_file_name(PERIOD)


@pytest.fixture
def serving(fixture_home, tmp_path):
    path = tmp_path / "serving.duckdb"
    shutil.copy(fixture_home.serving, path)
    con = duckdb.connect(str(path))
    con.execute(
        "insert into fct_ward_indicators select * replace (? as period_key) from fct_ward_indicators "
        "where period_key = '2025-03'",
        [PERIOD],
    )
    con.close()
    return path


def _stamps(folder):
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.xlsx")}


def _change_a_figure(path, ward: str) -> None:
    con = duckdb.connect(str(path))
    changed = con.execute(
        "update fct_ward_indicators set numerator = numerator + 1 "
        "where period_key = ? and org_unit_code = ? and indicator_code = "
        "(select min(indicator_code) from fct_ward_indicators "
        " where period_key = ? and numerator is not null)",
        [PERIOD, ward, PERIOD],
    ).fetchone()[0]
    con.close()
    assert changed == 1


def test_only_the_workbooks_whose_figures_changed_are_written_again(serving, tmp_path):
    reports = tmp_path / "reports"
    first = build_all(serving, reports)
    folder = reports / PERIOD
    assert len(first.written) == 16 and first.unchanged == []  # the district and its 15 wards
    assert (folder / RECORD).is_file()
    stamps = _stamps(folder)

    again = build_all(serving, reports)
    assert again.written == [] and len(again.unchanged) == 16
    assert _stamps(folder) == stamps

    _change_a_figure(serving, WARD)
    (folder / "2025-BCT-6T_09542-van-quan.xlsx").unlink()  # someone removed a workbook
    after = build_all(serving, reports)
    assert sorted(p.name for p in after.written) == sorted(
        [DISTRICT_FILE, WARD_FILE, "2025-BCT-6T_09542-van-quan.xlsx"]
    )
    assert len(after.unchanged) == 13

    forced = build_all(serving, reports, rewrite=True)
    assert len(forced.written) == 16 and forced.unchanged == []


def test_the_moment_the_data_was_taken_alone_changes_no_workbook(serving, tmp_path):
    reports = tmp_path / "reports"
    build_all(serving, reports)
    con = duckdb.connect(str(serving))
    con.execute("update serving_meta set data_as_of = data_as_of + interval 1 day")
    con.close()
    assert build_all(serving, reports).written == []
