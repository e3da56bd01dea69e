"""The generic reader and the immunisation contract on small fixture files, row by row."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from ingestion.contract import load_contracts
from ingestion.parse_file import FileRejected, parse_file
from ingestion.reader import UnreadableFile, csv_encoding
from tests.conftest import IMMUNIZATION_FIXTURES

D = dt.date


@pytest.fixture(scope="module")
def contract():
    return load_contracts()["immunization"]


def _essentials(rows: list[dict]) -> list[tuple]:
    keys = (
        "source_row",
        "child_id",
        "child_name",
        "birth_date",
        "sex",
        "ward_code",
        "vaccine_code",
        "dose_number",
        "dose_date",
    )
    return [tuple(r[k] for k in keys) for r in rows]


def test_title_block_single_header_with_bad_blank_and_total_rows(contract):
    parsed = parse_file(IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx", contract)
    assert (parsed.sheet, parsed.header_row, parsed.period.key, parsed.ward_code) == (
        "TCMR",
        5,
        "2025-03",
        "09541",
    )
    assert _essentials(parsed.rows) == [
        (6, "001225000101", "Nguyễn Văn An", D(2025, 1, 5), "M", "09541", "DTP_HEPB_HIB", 1, D(2025, 3, 7)),
        (7, "001324000102", "Trần Thị Bình", D(2024, 12, 20), "F", "09541", "OPV", 1, D(2025, 3, 7)),
        (9, None, "Lê Minh Châu", D(2024, 11, 2), "M", "09541", "DTP_HEPB_HIB", 3, D(2025, 3, 15)),
        (
            14,
            "001325000108",
            "Đặng Ngọc Ánh",
            D(2025, 1, 20),
            "F",
            "09541",
            "DTP_HEPB_HIB",
            1,
            D(2025, 3, 24),
        ),
        (15, "001225000109", "Võ Bảo Long", D(2025, 3, 1), "M", "09541", "BCG", 1, D(2025, 3, 2)),
    ]
    # the name typed in decomposed Unicode is stored composed
    assert unicodedata.is_normalized("NFC", parsed.rows[1]["child_name"])
    assert [(r.row_number, r.column, r.value, r.reason) for r in parsed.rejects] == [
        (
            10,
            "Mã định danh",
            "001225000104",
            "Mã định danh ghi giới tính Nam (chữ số thứ 4 là 2) nhưng cột giới tính ghi Nữ",
        ),
        (11, "Phường", "Xuân Thủy", "Không nhận ra phường 'Xuân Thủy'"),
        (12, "Mã định danh", "001225000101", "Dòng trùng lặp với dòng 6"),
        (13, "Ngày tiêm", "09/03/2025", "Ngày tiêm trước ngày sinh"),
    ]
    # rows read = loaded + rejected + skipped (two blank rows and the 'Tổng cộng' row)
    assert (parsed.rows_read, len(parsed.rows), parsed.rows_rejected, parsed.rows_skipped) == (12, 5, 4, 3)


def test_header_across_two_merged_rows_and_dates_as_text(contract):
    parsed = parse_file(IMMUNIZATION_FIXTURES / "TCMR_VanQuan_T03-2025.xlsx", contract)
    assert (parsed.header_row, parsed.ward_code) == (5, "09542")
    assert _essentials(parsed.rows) == [
        (7, "001225000201", "Đỗ Văn Khoa", D(2025, 1, 15), "M", "09542", "DTP_HEPB_HIB", 1, D(2025, 3, 20)),
        (8, "001325000202", "Ngô Thị Lan", D(2025, 2, 3), "F", "09542", "OPV", 1, D(2025, 3, 31)),
    ]
    assert parsed.rows[0]["facility"] == "TYT Văn Quán"
    assert [(r.row_number, r.column, r.value) for r in parsed.rejects] == [(9, "Ngày sinh", "32/13/2024")]


def test_legacy_xls_with_unaccented_headers_and_an_id_typed_as_a_number(contract):
    parsed = parse_file(IMMUNIZATION_FIXTURES / "TCMR_HaCau_T03-2025.xls", contract)
    assert (parsed.period.key, parsed.ward_code, parsed.rows_read, parsed.rows_skipped) == (
        "2025-03",
        "09556",
        4,
        1,
    )
    assert _essentials(parsed.rows) == [
        (6, "001325000301", "Lý Thị Mai", D(2025, 1, 1), "F", "09556", "DTP_HEPB_HIB", 2, D(2025, 3, 5)),
        (7, "001224000302", "Dương Văn Nam", D(2024, 12, 2), "M", "09556", "MEASLES", 1, D(2025, 3, 28)),
        (8, "001225000303", "Hồ Văn Phúc", D(2025, 1, 3), "M", "09556", "IPV", 1, D(2025, 3, 12)),
    ]


def test_missing_required_column_rejects_the_file_naming_it(contract):
    with pytest.raises(FileRejected, match="Thiếu cột bắt buộc: Ngày tiêm"):
        parse_file(IMMUNIZATION_FIXTURES / "TCMR_LaKhe_T03-2025.xlsx", contract)


def test_damaged_workbook_is_unreadable(contract):
    with pytest.raises(UnreadableFile, match="Không mở được tệp bảng tính"):
        parse_file(IMMUNIZATION_FIXTURES / "TCMR_PhuLa_T03-2025.xlsx", contract)


def test_period_from_the_file_name_when_the_title_has_none(contract, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ tên", "Ngày sinh", "Giới", "Phường", "Vắc xin", "Mũi", "Ngày tiêm"])
    ws.append(["Bé A", "01/01/2025", "Nữ", "Phúc La", "IPV", 1, "2025-06-03"])
    path = tmp_path / "TCMR_PhucLa_T6-2025.xlsx"
    wb.save(path)
    parsed = parse_file(path, contract)
    assert (parsed.period.key, parsed.ward_code, len(parsed.rows)) == ("2025-06", "09553", 1)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xef\xbb\xbfPh\xc6\xb0\xe1\xbb\x9dng", "Phường"),  # UTF-8 with BOM
        ("Phường".encode("utf-16"), "Phường"),
        ("Phường".encode(), "Phường"),
        ("Phư\u01a1\u0300ng".encode("cp1258"), "Phường"),  # Windows-1258 writes tones as combining marks
    ],
)
def test_csv_encodings(raw, text, tmp_path):
    path = tmp_path / "bhyt.csv"
    path.write_bytes(raw)
    assert unicodedata.normalize("NFC", path.read_text(encoding=csv_encoding(path))) == text
