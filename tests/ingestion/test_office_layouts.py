"""Layouts offices really send, and the ways a file can go wrong without losing or misfiling data."""

from __future__ import annotations

import datetime as dt

import duckdb
import openpyxl
import pytest

from demo.names import to_cp1258_form
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox
from ingestion.parse_file import FileRejected, parse_file
from ingestion.registry import ensure_raw_schema

CONTRACT = load_contracts()["immunization"]
HEADER = [
    "STT",
    "Mã định danh",
    "Họ và tên trẻ",
    "Ngày sinh",
    "Giới tính",
    "Phường",
    "Vắc xin",
    "Mũi số",
    "Ngày tiêm",
]
TITLE = [
    ["UBND QUẬN HÀ ĐÔNG", None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["TRẠM Y TẾ PHƯỜNG MỘ LAO", None, None, None, None, "Độc lập - Tự do - Hạnh phúc"],
    [None, None, None, None, None, "Hà Đông, ngày 05 tháng 4 năm 2025"],
    ["DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG 03 NĂM 2025"],
]


def _row(n: int, ward: str = "Mộ Lao", **changes) -> list:
    row = {
        "id": f"0012250001{n:02d}",
        "name": f"Trẻ số {n}",
        "birth": dt.date(2025, 1, n),
        "sex": "Nam",
        "ward": ward,
        "vaccine": "BCG",
        "dose": 1,
        "date": dt.date(2025, 3, n),
    }
    row.update(changes)
    return [n, *row.values()]


def _save(path, *sheets: tuple[str, list[list]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_place_date_line_and_footer_under_the_total_row(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    footer = [
        [],
        [None, "Người lập biểu", None, None, None, "Trạm trưởng"],
        [None, "(Ký, ghi rõ họ tên)", None, None, None, "(Ký tên, đóng dấu)"],
        [None, "Nguyễn Thị Hằng", None, None, None, "Lê Văn Bình"],
    ]
    _save(path, ("TCMR", [*TITLE, HEADER, _row(1), _row(2), ["Tổng cộng", 2], *footer]))
    parsed = parse_file(path, CONTRACT)
    assert parsed.period.key == "2025-03"  # not April, the month it was signed
    assert parsed.ward_code == "09541"
    assert (parsed.rows_read, len(parsed.rows), parsed.rows_rejected, parsed.rows_skipped) == (7, 2, 0, 5)
    assert parsed.rejects == []


def test_column_numbering_row_and_a_given_name_cong_are_not_mistaken(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    numbering = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"]
    cong = _row(2, name="Cộng")  # a child called Công typed without diacritics is still a child
    _save(path, ("TCMR", [*TITLE, HEADER, numbering, _row(1), cong]))
    parsed = parse_file(path, CONTRACT)
    assert [r["child_name"] for r in parsed.rows] == ["Trẻ số 1", "Cộng"]
    assert parsed.rows_skipped == 1


def test_a_header_without_rows_or_total_is_quarantined(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    _save(path, ("TCMR", [*TITLE, HEADER, [], []]))
    with pytest.raises(FileRejected, match="không có dòng dữ liệu"):
        parse_file(path, CONTRACT)


def test_a_total_of_zero_under_no_rows_is_a_nil_report(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    _save(path, ("TCMR", [*TITLE, HEADER, [], ["Tổng cộng", 0]]))
    parsed = parse_file(path, CONTRACT)
    assert (parsed.nil_report, parsed.rows, parsed.rows_read, parsed.rows_skipped) == (True, [], 2, 2)
    assert (parsed.ward_code, parsed.period.key) == ("09541", "2025-03")


def test_title_of_another_ward_is_quarantined(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    _save(path, ("TCMR", [*TITLE, HEADER, _row(1, ward="Văn Quán"), _row(2, ward="Văn Quán")]))
    with pytest.raises(
        FileRejected, match="Tiêu đề ghi phường Mộ Lao nhưng phần lớn các dòng thuộc phường Văn Quán"
    ):
        parse_file(path, CONTRACT)


def test_a_merged_ward_in_the_rows_matches_its_successor_in_the_title(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    title = [["TRẠM Y TẾ PHƯỜNG QUANG TRUNG"], ["DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG 03 NĂM 2025"]]
    _save(path, ("TCMR", [*title, HEADER, _row(1, ward="Nguyễn Trãi"), _row(2, ward="Quang Trung")]))
    parsed = parse_file(path, CONTRACT)
    assert parsed.ward_code == "09550"
    assert [r["ward_code"] for r in parsed.rows] == ["09538", "09550"]


def test_two_sheets_with_the_same_table_are_quarantined(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    _save(path, ("TCMR", [*TITLE, HEADER, _row(1)]), ("TCMR (2)", [*TITLE, HEADER, _row(2)]))
    with pytest.raises(FileRejected, match="nhiều trang dữ liệu cùng mẫu \\('TCMR', 'TCMR \\(2\\)'\\)"):
        parse_file(path, CONTRACT)


def test_future_dose_date_and_numeric_sex_are_rejected_rows(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    rows = [_row(n) for n in range(1, 5)] + [_row(5, date=dt.date(2052, 3, 7)), _row(6, sex=1)]
    _save(path, ("TCMR", [*TITLE, HEADER, *rows]))
    parsed = parse_file(path, CONTRACT)
    assert len(parsed.rows) == 4
    assert [(r.row_number, r.reason) for r in parsed.rejects] == [
        (10, "Ngày tiêm sau cuối kỳ báo cáo"),
        (11, "Giới tính '1' không hợp lệ (cần Nam hoặc Nữ)"),
    ]


def test_too_many_bad_rows_names_each_error(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    rows = [_row(n) for n in range(1, 5)] + [_row(n, ward="Xuân Thủy") for n in range(5, 12)]
    _save(path, ("TCMR", [*TITLE, HEADER, *rows]))
    with pytest.raises(FileRejected) as error:
        parse_file(path, CONTRACT)
    assert "7/11 dòng bị lỗi, quá ngưỡng 50%" in str(error.value)
    assert "dòng 10, Phường: Không nhận ra phường 'Xuân Thủy'" in str(error.value)


def test_a_few_bad_rows_in_a_small_file_are_rejected_not_the_file(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    _save(path, ("TCMR", [*TITLE, HEADER, _row(1), _row(2, ward="Xuân Thủy"), _row(3, ward="Xuân Thủy")]))
    parsed = parse_file(path, CONTRACT)
    assert (len(parsed.rows), parsed.rows_rejected) == (1, 2)
    assert [(r.row_number, r.value) for r in parsed.rejects] == [(7, "Xuân Thủy"), (8, "Xuân Thủy")]


def test_csv_in_windows_1258_with_semicolons_and_a_title_line(tmp_path):
    text = (
        "DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG 03 NĂM 2025;;;;;;;\r\n"
        "Mã định danh;Họ tên;Ngày sinh;Giới;Phường;Vắc xin;Mũi;Ngày tiêm\r\n"
        '001325000301;"Lý Thị Mai";01/01/2025;Nữ;Hà Cầu;OPV;1;05/03/2025\r\n'
    )
    path = tmp_path / "TCMR_HaCau_T03-2025.csv"
    # Windows-1258 writes most tone marks as combining characters, as Vietnamese Windows software does
    path.write_bytes(to_cp1258_form(text).encode("cp1258"))
    parsed = parse_file(path, CONTRACT)
    [row] = parsed.rows
    assert (row["child_name"], row["sex"], row["ward_code"], row["vaccine_code"]) == (
        "Lý Thị Mai",
        "F",
        "09556",
        "OPV",
    )
    assert parsed.period.key == "2025-03"


def test_unexpected_error_quarantines_the_file_and_the_inbox_goes_on(home, monkeypatch):
    from ingestion import reading

    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True, exist_ok=True)
    _save(inbox / "a_poison.xlsx", ("TCMR", [*TITLE, HEADER, _row(1)]))
    _save(inbox / "b_good.xlsx", ("TCMR", [*TITLE, HEADER, _row(2)]))
    real = reading.parse_file

    def parse(path, contract, name):
        if name == "a_poison.xlsx":
            raise KeyError("surprise")
        return real(path, contract, name)

    monkeypatch.setattr(reading, "parse_file", parse)
    con = duckdb.connect(str(home.warehouse))
    ensure_raw_schema(con, [CONTRACT])
    outcomes = {o.file_name: (o.outcome, o.reason) for o in ingest_inbox(con, CONTRACT, home)}
    assert outcomes["b_good.xlsx"] == ("loaded", None)
    assert outcomes["a_poison.xlsx"][0] == "quarantined"
    assert "Lỗi không mong đợi khi đọc tệp (KeyError" in outcomes["a_poison.xlsx"][1]
    con.close()


def test_quarantined_file_dropped_again_is_retried_and_can_load(home, monkeypatch):
    from ingestion import reading

    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True, exist_ok=True)
    _save(inbox / "tcmr.xlsx", ("TCMR", [*TITLE, HEADER, _row(1)]))
    payload = (inbox / "tcmr.xlsx").read_bytes()
    con = duckdb.connect(str(home.warehouse))
    ensure_raw_schema(con, [CONTRACT])
    monkeypatch.setattr(
        reading, "parse_file", lambda *_: (_ for _ in ()).throw(FileRejected("seed thiếu bí danh"))
    )
    [first] = ingest_inbox(con, CONTRACT, home)
    assert first.outcome == "quarantined"
    monkeypatch.undo()  # the engineer fixed the seed; the clerk drops the same file again
    (inbox / "tcmr.xlsx").write_bytes(payload)
    [second] = ingest_inbox(con, CONTRACT, home)
    assert (second.outcome, second.rows_loaded) == ("loaded", 1)
    assert con.execute("select outcome, count(*) from raw.file_registry group by 1").fetchall() == [
        ("loaded", 1)
    ]
    assert list((home.quarantine / "immunization").iterdir()) == []
    con.close()


def test_total_row_with_column_totals_ends_the_table(tmp_path):
    path = tmp_path / "tcmr.xlsx"
    total = ["Tổng cộng", 2, None, None, "2 nam", None, "2 mũi", 2, None]
    _save(
        path, ("TCMR", [*TITLE, HEADER, _row(1), _row(2), total, [None, "Người lập biểu", "Nguyễn Thị Hằng"]])
    )
    parsed = parse_file(path, CONTRACT)
    assert (len(parsed.rows), parsed.rows_rejected, parsed.rows_skipped) == (2, 0, 2)
