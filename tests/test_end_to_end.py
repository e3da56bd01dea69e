"""generate → run through Dagster → serving copy equals the ground truth; a rerun loads nothing twice."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from demo import generate
from tests.conftest import fresh_home, use

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(pointed_env, tmp_path_factory):
    from orchestration.run_once import run_pipeline

    home = fresh_home(tmp_path_factory.mktemp("e2e-home"))
    truth = generate(home.root, seed=11, scale=0.02, messy=0.1)
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


def _schedule_doses_by_ward(truth) -> dict[str, int]:
    """Schedule doses per ward: a dose counts once per schedule item it counts as (on antigens, numbered on
    the child's history), so not the rows written (truth["immunization"]["doses_by_ward"])."""
    by_ward: dict[str, int] = {}
    for key, n in truth["immunization"]["doses_by_ward_month_vaccine_dose"].items():
        ward = key.split("|")[0]
        by_ward[ward] = by_ward.get(ward, 0) + n
    return by_ward


def test_doses_per_ward_equal_ground_truth(demo_run):
    home, truth, first = demo_run
    assert first.success and not first.checks_failed
    got = dict(
        _serving(home, "select ward_code, sum(doses)::int from agg_immunization_ward_months group by 1")
    )
    assert got == _schedule_doses_by_ward(truth)
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


def test_every_indicator_equals_the_ground_truth(demo_run):
    """Each indicator's numerator and denominator, for every ward and the district, for the year and
    each quarter, equal what the generator computed from the simulated children and its good rows."""
    home, truth, _ = demo_run
    rows = _serving(
        home,
        "select period_key, org_unit_code, indicator_code, numerator::int, denominator::int, baseline::int "
        "from fct_ward_indicators",
    )
    got = {(p, o, i): (n, d, b) for p, o, i, n, d, b in rows}
    expected, missing = {}, []
    for period, units in truth["indicators"].items():
        for unit, figures in units.items():
            for code, parts in figures.items():
                if (period, unit, code) not in got:
                    missing.append((period, unit, code))
                elif code == "injury_deaths":
                    expected[(period, unit, code)] = (parts["deaths"], None, parts["baseline_2024"])
                else:
                    expected[(period, unit, code)] = (parts["numerator"], parts["denominator"], None)
    assert missing == []
    assert len(expected) == 5 * 16 * 12
    wrong = {key: (got[key], want) for key, want in expected.items() if got[key] != want}
    assert wrong == {}


def test_the_child_friendly_cross_check_equals_the_ground_truth(demo_run):
    """Every ward's self-assessed and data-supported points and verdict per criterion, and its standing
    on the data, as the generator judged them from the simulated wards' figures; and one validation
    warning per disagreement."""
    home, truth, _ = demo_run
    expected = truth["child_friendly_cross_check"]
    rows = _serving(
        home,
        "select ward_code, criterion, self_score, data_score, verdict from fct_child_friendly_cross_check",
    )
    got = {(w, str(n)): (s, d, v) for w, n, s, d, v in rows}
    want = {
        (ward, n): (c["self"], c["data"], c["verdict"])
        for ward, entry in expected.items()
        for n, c in entry["criteria"].items()
    }
    assert len(want) == 13 * len(expected) and len(expected) >= 10
    assert got == want
    standings = _serving(
        home,
        "select ward_code, total_points_on_data, meets_standard_on_data from agg_child_friendly_cross_check",
    )
    assert {w: (t, m) for w, t, m in standings} == {
        w: (e["total_points_on_data"], e["meets_standard_on_data"]) for w, e in expected.items()
    }
    disagreements = sorted(k for k, (_, _, v) in want.items() if v in ("over_scored", "under_scored"))
    assert disagreements  # the generator's over- and under-scoring wards
    warnings = _serving(
        home,
        "select v.ward_code, regexp_extract(r.left_side, '(\\d+)\\}', 1) from fct_validation_violations v "
        "join validation_rules r using (rule_id) where r.left_side like '#{child_friendly.%'",
    )
    assert sorted(warnings) == disagreements


def _registry(home, sql):
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_source_reconciles_with_the_injected_faults(demo_run):
    """Per source: files loaded and quarantined, rows loaded and rejected, as the generator wrote them."""
    home, truth, first = demo_run
    got = {
        source: counts
        for source, *counts in _registry(
            home,
            "select source, count(*) filter (where outcome = 'loaded')::int, "
            "count(*) filter (where outcome = 'quarantined')::int, sum(rows_loaded)::int, "
            "sum(rows_rejected)::int from raw.file_registry group by source",
        )
    }
    expected = {}
    for source, entry in truth["sources"].items():
        bad_files = sum(len(names) for names in entry["files_bad"].values())
        expected[source] = [
            entry["files"] - bad_files,
            bad_files,
            entry["rows_good"],
            sum(entry["rows_bad"].values()),
        ]
    assert got == expected
    assert len(got) == 9
    assert all(counts[1] >= 2 for counts in got.values())  # each source had a fault of each kind
    assert first.ingestion["rows_loaded"] == sum(e[2] for e in expected.values())


def test_quarantined_files_are_those_the_generator_spoiled(demo_run):
    home, truth, _ = demo_run
    for source, entry in truth["sources"].items():
        quarantined = sorted(
            p.name.split("__", 1)[1]
            for p in (home.quarantine / source).iterdir()
            if not p.name.endswith((".receipt.txt", ".registry.json"))
        )
        assert quarantined == sorted(name for names in entry["files_bad"].values() for name in names), source
        receipts = list((home.quarantine / source).glob("*.receipt.txt"))
        notes = list((home.quarantine / source).glob("*.registry.json"))
        assert len(receipts) == len(notes) == len(quarantined)


def test_for_every_file_rows_read_are_loaded_rejected_or_skipped(demo_run):
    home, _, _ = demo_run
    assert _registry(
        home,
        "select count(*) from raw.file_registry "
        "where rows_read <> rows_loaded + rows_rejected + rows_skipped",
    ) == [(0,)]
    assert (
        _registry(
            home,
            "select (select count(*) from raw.row_rejects), "
            "(select count(*) from raw.row_rejects r join raw.file_registry f using (file_id))",
        )[0][0]
        > 0
    )


def test_the_inbox_is_empty_after_a_run(demo_run):
    home, _, _ = demo_run
    assert [p for p in home.inbox.rglob("*") if p.is_file()] == []


def test_quality_mart_per_ward_and_source_equals_the_injected_defects(demo_run):
    """Per ward × source (the district for the BHXH list): quarantined files, rejected rows and late
    extracts of agg_quality_ward_sources equal what the generator injected, by the warehouse's
    definitions (treem.quality_report.truth_counts: a file of a pre-2025 ward counts for today's ward;
    late = the first loaded file of an extract of the year came after the deadline)."""
    from treem.quality_report import MEASURES, truth_counts

    home, truth, _ = demo_run
    current_ward = dict(_serving(home, "select ward_code, current_ward_code from dim_ward"))
    rows = _serving(
        home,
        f"select org_unit_code, source, {', '.join(MEASURES)} from agg_quality_ward_sources",
    )
    expected = truth_counts(truth, current_ward)
    for i, measure in enumerate(MEASURES):
        got = {(unit, source): int(figures[i]) for unit, source, *figures in rows if figures[i]}
        want = {key: counts[measure] for key, counts in expected.items() if counts[measure]}
        assert got == want, measure
    assert len(rows) == 15 * 9 + 1
    assert sum(counts["extracts_late"] for counts in expected.values()) > 0


def test_quality_command_against_the_truth_matches_every_measure(demo_run, pointed_env, capsys):
    from treem.cli import main

    home, _, _ = demo_run
    try:
        assert main(["--home", str(home.root), "quality", "--against-truth"]) == 0
    finally:
        use(pointed_env)
    lines = capsys.readouterr().out.splitlines()
    assert "Phường Mộ Lao (09541)" in lines
    district = lines.index("Toàn quận Hà Đông (268)")
    assert lines[district + 3].split()[:2] == ["mọi", "nguồn"]
    verdicts = {line.split(" kho ")[0].strip(): line.split()[-1] for line in lines if "   gốc " in line}
    assert verdicts == {"tệp bị cách ly": "khớp", "dòng bị loại": "khớp", "kỳ báo cáo nộp muộn": "khớp"}
    assert [line for line in lines if " ≠ " in line] == []  # no cell differs


def test_rerun_and_redropped_file_load_nothing_twice(demo_run):
    from orchestration.run_once import run_pipeline

    home, truth, first = demo_run
    archived = next(p for p in (home.archive / "immunization").glob("*/*") if p.suffix in (".xls", ".xlsx"))
    shutil.copy2(archived, home.source_inbox("immunization") / archived.name.split("__", 1)[1])
    use(home)
    second = run_pipeline(home)
    assert second.success
    assert second.ingestion["files_loaded"] == 0
    assert second.ingestion["files_already_registered"] == 1, dict(second.ingestion)
    assert second.ingestion["rows_loaded"] == 0
    total = _serving(home, "select sum(doses)::int from agg_immunization_ward_months")[0][0]
    assert total == sum(truth["immunization"]["doses_by_ward_month_vaccine_dose"].values())


def test_a_run_with_nothing_new_does_nothing_and_says_so(demo_run):
    from orchestration.instance import home_instance
    from orchestration.run_once import format_summary, run_pipeline

    home, _, _ = demo_run
    use(home)
    with home_instance(home) as instance:
        runs = instance.get_runs_count()
    published = home.serving.stat().st_mtime_ns
    again = run_pipeline(home)
    assert again.success and again.nothing_new_since
    assert "Không có gì mới kể từ lần chạy trọn vẹn" in format_summary(again)
    with home_instance(home) as instance:
        assert instance.get_runs_count() == runs  # no Dagster run at all
    assert home.serving.stat().st_mtime_ns == published


def test_a_corrected_file_replaces_the_earlier_one_and_raw_keeps_both(demo_run):
    import openpyxl

    from orchestration.run_once import run_pipeline

    home, truth, _ = demo_run
    # a file with a BCG dose: a BCG dose counts for BCG 1 only, so removing it removes one schedule dose
    # (removing a 5-in-1 dose would renumber the child's later DTP-containing doses)
    rows_written = truth["immunization"]["rows_by_ward_month_vaccine_dose"]
    entry = next(
        f
        for f in truth["sources"]["immunization"]["files_list"]
        if f["file"].endswith(".xlsx")
        and f["rows_good"] == f["rows_written"]
        and f["rows_written"] >= 3
        and f"{f['ward_code']}|{f['period']}|BCG|1" in rows_written
    )
    [archived] = (home.archive / "immunization" / entry["period"]).glob(f"*__{entry['file']}")
    book = openpyxl.load_workbook(archived)
    sheet = book.active
    bcg_row = next(
        r
        for r in range(1, sheet.max_row + 1)
        if isinstance(sheet.cell(r, 1).value, int)
        and sheet.cell(r, 2).value
        and "BCG" in [cell.value for cell in sheet[r]]
    )
    sheet.delete_rows(bcg_row)  # the station found a dose typed twice and sends the month again
    book.save(home.source_inbox("immunization") / entry["file"])

    use(home)
    summary = run_pipeline(home)
    assert summary.success and summary.ingestion["files_loaded"] == 1

    doses = dict(
        _serving(home, "select ward_code, sum(doses)::int from agg_immunization_ward_months group by 1")
    )
    expected = _schedule_doses_by_ward(truth)
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
