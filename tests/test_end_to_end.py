"""generate → run through Dagster → serving copy equals the ground truth; a rerun loads nothing twice."""

from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pytest

from ingestion.demo import generate
from tests.conftest import fresh_home, use

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(pointed_env, tmp_path_factory):
    from orchestration.run_once import run_pipeline

    home = fresh_home(tmp_path_factory.mktemp("e2e-home"))
    truth = generate(home.root, seed=11, scale=0.02, messy=0.05)
    use(home)
    first = run_pipeline(home)
    yield home, truth, first
    use(pointed_env)


def _serving(home, sql):
    con = duckdb.connect(str(home.serving), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_doses_per_ward_equal_ground_truth(demo_run):
    home, truth, first = demo_run
    assert first.success and not first.checks_failed
    got = dict(
        _serving(home, "select ward_code, sum(doses)::int from agg_immunization_ward_months group by 1")
    )
    assert got == truth["immunization"]["doses_by_ward"]
    assert len(got) == 15


def test_doses_per_ward_month_vaccine_dose_equal_ground_truth(demo_run):
    home, truth, _ = demo_run
    rows = _serving(
        home,
        "select ward_code, dose_month, vaccine_code, dose_number, doses::int "
        "from agg_immunization_ward_months",
    )
    got = {f"{w}|{m}|{v}|{d}": n for w, m, v, d, n in rows}
    assert got == truth["immunization"]["doses_by_ward_month_vaccine_dose"]


def test_files_and_rows_match_what_was_injected(demo_run):
    home, truth, first = demo_run
    source = truth["sources"]["immunization"]
    bad_files = sum(len(names) for names in source["files_bad"].values())
    assert bad_files >= 2
    assert first.ingestion["files_loaded"] == source["files"] - bad_files
    assert first.ingestion["files_quarantined"] == bad_files
    assert first.ingestion["rows_loaded"] == source["rows_good"]
    assert first.ingestion["rows_rejected"] == sum(source["rows_bad"].values())
    quarantined = sorted(
        p.name.split("__", 1)[1]
        for p in (home.quarantine / "immunization").glob("*.xls*")
        if not p.name.endswith(".reason.txt")
    )
    assert quarantined == sorted(name for names in source["files_bad"].values() for name in names)


def test_sources_without_a_contract_wait_in_the_inbox(demo_run):
    home, truth, _ = demo_run
    waiting = Counter(p.parent.name for p in home.inbox.glob("*/*"))
    assert "immunization" not in waiting
    assert waiting["child_register"] == truth["sources"]["child_register"]["files"]


def test_rerun_and_redropped_file_load_nothing_twice(demo_run):
    from orchestration.run_once import run_pipeline

    home, truth, first = demo_run
    archived = next((home.archive / "immunization").glob("*/*"))
    shutil.copy2(archived, home.source_inbox("immunization") / archived.name.split("__", 1)[1])
    use(home)
    second = run_pipeline(home)
    assert second.success
    assert second.ingestion["files_loaded"] == 0
    assert second.ingestion["files_already_registered"] == 1
    assert second.ingestion["rows_loaded"] == 0
    total = _serving(home, "select sum(doses)::int from agg_immunization_ward_months")[0][0]
    assert total == truth["sources"]["immunization"]["rows_good"]


def test_a_corrected_file_replaces_the_earlier_one_and_raw_keeps_both(demo_run):
    import openpyxl

    from orchestration.run_once import run_pipeline

    home, truth, _ = demo_run
    entry = next(
        f
        for f in truth["sources"]["immunization"]["files_list"]
        if f["file"].endswith(".xlsx") and f["rows_good"] == f["rows_written"] and f["rows_written"] >= 3
    )
    [archived] = (home.archive / "immunization" / entry["period"]).glob(f"*__{entry['file']}")
    book = openpyxl.load_workbook(archived)
    sheet = book.active
    first_data_row = next(
        r
        for r in range(1, sheet.max_row + 1)
        if isinstance(sheet.cell(r, 1).value, int) and sheet.cell(r, 2).value
    )
    sheet.delete_rows(first_data_row)  # the station found a dose typed twice and sends the month again
    book.save(home.source_inbox("immunization") / entry["file"])

    use(home)
    summary = run_pipeline(home)
    assert summary.success and summary.ingestion["files_loaded"] == 1

    doses = dict(
        _serving(home, "select ward_code, sum(doses)::int from agg_immunization_ward_months group by 1")
    )
    expected = dict(truth["immunization"]["doses_by_ward"])
    expected[entry["ward_code"]] -= 1
    assert doses == expected
    warehouse = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        raw_rows = warehouse.execute(
            "select count(*) from raw.immunization join raw.file_registry using (file_id) "
            "where file_registry.ward_code = ? and period = ?",
            [entry["ward_code"], entry["period"]],
        ).fetchone()[0]
    finally:
        warehouse.close()
    assert raw_rows == 2 * entry["rows_good"] - 1
