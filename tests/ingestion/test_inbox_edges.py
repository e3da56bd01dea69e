"""The edges of the inbox: files replaced while read, crashes between commit and receipt, names that
are not UTF-8, folders inside folders, wards renamed by the 2025 merger, rows that look like notes."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import random

import pytest

from ingestion import filing, load, reading
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox, quarantine_unknown
from ingestion.parse_file import parse_file
from ingestion.safety import Limits, UnsafeFile, check_file
from tests.conftest import power_cut
from tests.ingestion.test_office_layouts import HEADER, TITLE, _row, _save

CONTRACT = load_contracts()["immunization"]
NAME = "TCMR_MoLao_T03-2025.xlsx"


def _inbox(home):
    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True, exist_ok=True)
    return inbox


def test_a_file_replaced_while_it_is_read_loads_both_versions_in_turn(home, con, monkeypatch):
    inbox = _inbox(home)
    _save(inbox / NAME, ("TCMR", [*TITLE, HEADER, _row(1)]))
    real = reading.parse_file

    def office_sends_a_correction_meanwhile(path, contract, name):
        _save(inbox / NAME, ("TCMR", [*TITLE, HEADER, _row(1), _row(2)]))
        return real(path, contract, name)

    monkeypatch.setattr(reading, "parse_file", office_sends_a_correction_meanwhile)
    [first] = ingest_inbox(con, CONTRACT, home)
    monkeypatch.undo()
    assert (first.outcome, first.rows_loaded) == ("loaded", 1)
    [archived] = (home.archive / "immunization" / "2025-03").glob("*.xlsx")
    assert archived.name.startswith(first.file_id)  # the bytes read are the bytes stored
    assert filing.content_hash(archived)[:16] == first.file_id
    [second] = ingest_inbox(con, CONTRACT, home)  # the correction waited in the inbox
    assert (second.outcome, second.rows_loaded) == ("loaded", 2)
    assert con.execute(
        "select file_id, superseded_by from raw.file_registry order by processed_at"
    ).fetchall() == [(first.file_id, second.file_id), (second.file_id, None)]


def test_a_receipt_lost_to_a_crash_after_the_commit_is_written_by_the_rerun(home, con, monkeypatch):
    _save(_inbox(home) / NAME, ("TCMR", [*TITLE, HEADER, _row(1)]))
    monkeypatch.setattr(load, "write_receipt", power_cut)
    with pytest.raises(KeyboardInterrupt):
        ingest_inbox(con, CONTRACT, home)
    monkeypatch.undo()
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == "already_registered"
    [receipt] = (home.archive / "immunization" / "2025-03").glob("*.receipt.txt")
    assert "ĐÃ NHẬN – kỳ 2025-03, phường Mộ Lao." in receipt.read_text(encoding="utf-8")
    assert list((home.processing / "immunization").iterdir()) == []


def test_a_file_name_that_is_not_utf8_loads_under_a_readable_name(home, con):
    raw_name = os.fsdecode(b"TCMR_M\xf4Lao_T03-2025.xlsx")  # Windows-1258 'ô' from an old tool
    _save(_inbox(home) / raw_name, ("TCMR", [*TITLE, HEADER, _row(1)]))
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert (outcome.outcome, outcome.file_name) == ("loaded", "TCMR_M\ufffdLao_T03-2025.xlsx")
    assert con.execute("select file_name, ward_code from raw.file_registry").fetchall() == [
        ("TCMR_M\ufffdLao_T03-2025.xlsx", "09541")
    ]


def test_files_in_subfolders_are_set_aside_not_forgotten(home, con):
    nested = _inbox(home) / "Thang 3"
    nested.mkdir()
    _save(nested / NAME, ("TCMR", [*TITLE, HEADER, _row(1)]))
    assert ingest_inbox(con, CONTRACT, home) == []
    [outcome] = quarantine_unknown(con, home)
    assert outcome.outcome == "quarantined"
    assert "thư mục 'immunization/Thang 3/'" in outcome.reason
    assert [p.name for p in nested.iterdir()] == []


def test_a_correction_titled_with_the_pre_2025_ward_replaces_the_file_of_its_successor(home, con):
    inbox = _inbox(home)
    old_title = [["TRẠM Y TẾ PHƯỜNG NGUYỄN TRÃI"], ["DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG 03 NĂM 2025"]]
    new_title = [["TRẠM Y TẾ PHƯỜNG QUANG TRUNG"], ["DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG 03 NĂM 2025"]]
    _save(inbox / "a.xlsx", ("TCMR", [*old_title, HEADER, _row(1, ward="Nguyễn Trãi")]))
    [first] = ingest_inbox(con, CONTRACT, home)
    _save(
        inbox / "b.xlsx",
        ("TCMR", [*new_title, HEADER, _row(1, ward="Quang Trung"), _row(2, ward="Quang Trung")]),
    )
    [second] = ingest_inbox(con, CONTRACT, home)
    assert con.execute(
        "select file_id, ward_code, superseded_by from raw.file_registry order by processed_at"
    ).fetchall() == [(first.file_id, "09550", second.file_id), (second.file_id, "09550", None)]


def test_a_2024_file_keeps_its_pre_2025_ward(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    title = [["TRẠM Y TẾ PHƯỜNG NGUYỄN TRÃI"], ["DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG 11 NĂM 2024"]]
    row = _row(1, ward="Nguyễn Trãi", id="001224000101", birth=__import__("datetime").date(2024, 1, 1))
    row[-1] = __import__("datetime").date(2024, 11, 5)
    _save(path, ("TCMR", [*title, HEADER, row]))
    assert parse_file(path, CONTRACT).ward_code == "09538"


def test_short_rows_with_numbers_are_rejected_and_rows_after_a_subtotal_are_read(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    short = [3, None, None, None, None, None, None, 1]  # a row typed half-way: STT and a dose number
    rows = [_row(1), ["Cộng", 1], _row(2), short, [None, "Ghi chú: đã rà soát"], ["Tổng cộng", 3]]
    _save(path, ("TCMR", [*TITLE, HEADER, *rows]))
    parsed = parse_file(path, CONTRACT)
    assert [r["child_name"] for r in parsed.rows] == ["Trẻ số 1", "Trẻ số 2"]
    assert parsed.rows_rejected == 1
    assert {r.row_number for r in parsed.rejects} == {9}
    assert (parsed.rows_read, parsed.rows_skipped) == (6, 3)


def test_a_data_row_of_small_numbers_is_not_the_column_numbering_row(tmp_path):
    contract = load_contracts()["child_friendly"]
    path = tmp_path / "PhuHopTreEm_MoLao_2025.csv"
    path.write_text(
        "UBND PHƯỜNG MỘ LAO\nBẢNG TỰ ĐÁNH GIÁ NĂM 2025\nTiêu chí số,Điểm tối đa,Điểm tự đánh giá\n"
        "1,10,8\n2,60,60\n3,100,80\n",
        encoding="utf-8",
    )
    parsed = parse_file(path, contract)
    assert [(r["criterion"], r["max_points"], r["score"]) for r in parsed.rows] == [
        (1, 10, 8),
        (2, 60, 60),
        (3, 100, 80),
    ]


def test_every_row_of_a_correction_rejected_does_not_replace_the_month(home, con):
    inbox = _inbox(home)
    _save(inbox / "a.xlsx", ("TCMR", [*TITLE, HEADER, _row(1), _row(2)]))
    ingest_inbox(con, CONTRACT, home)
    _save(inbox / "b.xlsx", ("TCMR", [*TITLE, HEADER, _row(1, ward="Xuân Thủy"), _row(2, ward="Xuân Thủy")]))
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == "quarantined"
    assert outcome.reason.startswith(
        "Cả 2 dòng dữ liệu của tệp đều bị lỗi (dòng 6, Phường: Không nhận ra phường 'Xuân Thủy'; "
    )
    assert "nhưng kỳ 2025-03 đã có tệp với 2 dòng; tệp này không được thay thế" in outcome.reason
    assert con.execute(  # the refused correction still counts as a file for Mộ Lao, March 2025
        "select ward_code, period from raw.file_registry where outcome = 'quarantined'"
    ).fetchall() == [("09541", "2025-03")]


def test_a_sheet_declaring_a_huge_used_range_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    _save(path, ("TCMR", [*TITLE, HEADER, _row(1)]))  # A1:I6, 54 cells
    check_file(path, Limits(max_sheet_cells=54))
    with pytest.raises(UnsafeFile, match=r"Trang tính có vùng dữ liệu quá lớn \(54 ô, giới hạn 53 ô\)"):
        check_file(path, Limits(max_sheet_cells=53))


# A quarantined file keeps the ward and period it was sent for, so that reporting can tell "came but
# refused" from "never came": from its name, and from its title block when it was read that far.
MARCH_2025 = ("2025-03", dt.date(2025, 3, 1), dt.date(2025, 3, 31))
FEBRUARY_2025 = ("2025-02", dt.date(2025, 2, 1), dt.date(2025, 2, 28))


def _quarantined_registry(con) -> list[tuple]:
    return con.execute(
        "select file_name, outcome, ward_code, period, period_start, period_end from raw.file_registry"
    ).fetchall()


def _garbage(path) -> None:
    path.write_bytes(random.Random(7).randbytes(5000))  # not a workbook at all


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (NAME, ("09541", *MARCH_2025)),  # Mộ Lao (wards.csv: 09541)
        ("TCMR_NguyenTrai_T03-2025.xlsx", ("09550", *MARCH_2025)),  # merged into Quang Trung on 2025-01-01
        ("TCMR_NguyenTrai_T11-2024.xlsx", ("09538", "2024-11", dt.date(2024, 11, 1), dt.date(2024, 11, 30))),
        ("bao cao tiem chung.xlsx", (None, None, None, None)),  # the name says nothing: left null
    ],
)
def test_an_unreadable_file_is_quarantined_with_the_ward_and_period_its_name_tells(home, con, name, expected):
    _garbage(_inbox(home) / name)
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == "quarantined"
    assert outcome.reason.startswith("Không mở được tệp bảng tính")
    assert _quarantined_registry(con) == [(name, "quarantined", *expected)]


def test_a_failure_carries_its_ward_and_period_back_from_a_worker_process(tmp_path):
    path = tmp_path / NAME
    _garbage(path)
    failure = reading.read_file(path, CONTRACT, NAME)
    assert (failure.period.key, failure.ward_code) == ("2025-03", "09541")
    assert pickle.loads(pickle.dumps(failure)) == failure  # as a worker process sends it back


def test_a_district_file_quarantined_gets_its_period_and_no_ward(home, con):
    inbox = home.source_inbox("health_insurance")
    inbox.mkdir(parents=True)
    _garbage(inbox / "BHYT_TE_202503.csv")
    [outcome] = ingest_inbox(con, load_contracts()["health_insurance"], home)
    assert outcome.outcome == "quarantined"
    assert _quarantined_registry(con) == [("BHYT_TE_202503.csv", "quarantined", None, *MARCH_2025)]


def test_a_file_missing_a_required_column_gets_the_ward_and_period_of_its_title(home, con):
    no_date = [HEADER[:-1], *(_row(n)[:-1] for n in (1, 2))]  # 'Ngày tiêm' left out
    _save(_inbox(home) / "tiem chung.xlsx", ("TCMR", [*TITLE, *no_date]))  # a name that says nothing
    _save(_inbox(home) / "TCMR_VanQuan_T02-2025.xlsx", ("TCMR", no_date))  # no title: the name tells
    outcomes = {o.file_name: o for o in ingest_inbox(con, CONTRACT, home)}
    assert outcomes["tiem chung.xlsx"].reason.startswith("Thiếu cột bắt buộc: Ngày tiêm")
    # Văn Quán from the name; 'TRẠM Y TẾ PHƯỜNG MỘ LAO', 'THÁNG 03 NĂM 2025' from the title
    assert sorted(_quarantined_registry(con)) == [
        ("TCMR_VanQuan_T02-2025.xlsx", "quarantined", "09542", *FEBRUARY_2025),
        ("tiem chung.xlsx", "quarantined", "09541", *MARCH_2025),
    ]


def test_a_fault_in_telling_the_ward_and_period_leaves_them_null_and_the_file_quarantined(
    home, con, monkeypatch
):
    def broken(*_):
        raise KeyError("ward seed")

    monkeypatch.setattr(reading, "identify", broken)
    _garbage(_inbox(home) / NAME)
    [outcome] = ingest_inbox(con, CONTRACT, home)
    assert outcome.outcome == "quarantined"
    assert _quarantined_registry(con) == [(NAME, "quarantined", None, None, None, None)]
