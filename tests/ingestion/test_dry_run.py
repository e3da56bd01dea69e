"""A dry run says what ingestion then does with the same file (rows, rejected rows and their reasons,
or why the whole file is set aside), and writes nothing."""

from __future__ import annotations

import pytest

from ingestion.contract import load_contracts
from ingestion.dry_run import dry_run, dry_run_text
from ingestion.load import ingest_inbox
from tests.conftest import IMMUNIZATION_FIXTURES, drop_fixtures
from treem.cli import main

CONTRACT = load_contracts()["immunization"]
FIXTURES = sorted(p.name for p in IMMUNIZATION_FIXTURES.iterdir())


def _tree(home) -> list[str]:
    return sorted(str(p.relative_to(home.root)) for p in home.root.rglob("*"))


def test_a_dry_run_writes_nothing(home):
    before = _tree(home)
    for name in FIXTURES:
        dry_run(IMMUNIZATION_FIXTURES / name, CONTRACT, home)
    assert _tree(home) == before
    assert not home.warehouse.exists()


@pytest.mark.parametrize("name", FIXTURES)
def test_a_dry_run_says_what_ingestion_then_does(home, con, name):
    checked = dry_run(IMMUNIZATION_FIXTURES / name, CONTRACT, home)
    drop_fixtures(home, name)
    (outcome,) = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == ("loaded" if checked.would_load else "quarantined")
    registry = con.execute(
        "select period, ward_code, reason, rows_read, rows_loaded, rows_rejected, rows_skipped, file_id "
        "from raw.file_registry"
    ).fetchone()
    assert registry[:2] == (checked.period and checked.period.key, checked.ward_code)
    assert registry[2] == checked.problem
    if checked.would_load:
        assert registry[3:7] == (
            checked.rows_read,
            checked.rows_loaded,
            checked.rows_rejected,
            checked.rows_skipped,
        )
        rejects = con.execute(
            "select row_number, column_name, value, reason from raw.row_rejects "
            "order by row_number, column_name"
        ).fetchall()
        said = sorted((r.row_number, r.column, r.value, r.reason) for r in checked.rejects)
        assert rejects == said


def test_the_fixtures_figures_as_the_clerk_reads_them(home):
    mo_lao = dry_run(IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx", CONTRACT, home)
    # 12 rows read: 5 good, 4 rejected, 3 skipped (the fixture's own count, as test_load has it)
    assert (mo_lao.period.key, mo_lao.ward_name) == ("2025-03", "Mộ Lao")
    assert (mo_lao.rows_read, mo_lao.rows_loaded, mo_lao.rows_rejected, mo_lao.rows_skipped) == (12, 5, 4, 3)
    text = dry_run_text(mo_lao)
    assert "Hiểu là: kỳ 2025-03, phường Mộ Lao" in text
    assert "KẾT QUẢ: SẼ NHẬN, CÓ DÒNG BỊ LOẠI" in text
    assert "12 = 5 dòng sẽ nạp + 4 dòng bị loại + 3 dòng bỏ qua" in text
    assert sum(line.startswith("- dòng ") for line in text.splitlines()) == len(mo_lao.rejects)
    assert "… và" in dry_run_text(mo_lao, listed=1)

    la_khe = dry_run(IMMUNIZATION_FIXTURES / "TCMR_LaKhe_T03-2025.xlsx", CONTRACT, home)
    assert not la_khe.would_load
    assert la_khe.problem.startswith("Thiếu cột bắt buộc: Ngày tiêm")
    assert "KẾT QUẢ: SẼ KHÔNG NHẬN" in dry_run_text(la_khe)


@pytest.mark.parametrize(
    ("name", "code"),
    [("TCMR_HaCau_T03-2025.xls", 0), ("TCMR_MoLao_T03-2025.xlsx", 1), ("TCMR_LaKhe_T03-2025.xlsx", 3)],
)
def test_treem_check_says_it_and_exits_with_the_verdict(home, capsys, name, code):
    assert (
        main(["--home", str(home.root), "check", "immunization", str(IMMUNIZATION_FIXTURES / name)]) == code
    )
    printed = capsys.readouterr().out
    assert printed.startswith("KIỂM TRA TỆP (chạy thử, không nạp) – ")
    assert f"Tệp: {name}" in printed


def test_treem_check_refuses_an_unknown_source_or_file(home, capsys):
    assert main(["--home", str(home.root), "check", "tiem_chung", "x.xlsx"]) == 2
    assert "Không có nguồn 'tiem_chung'" in capsys.readouterr().err
    assert main(["--home", str(home.root), "check", "immunization", str(home.root / "x.xlsx")]) == 2
    assert "Không có tệp" in capsys.readouterr().err
