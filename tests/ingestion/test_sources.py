"""Every source other than immunisation, on small files shaped as its offices send them (docs/extracts.md):
which rows load with which typed values, which are rejected and why, the period and the ward; then the
file-level outcomes through the inbox (quarantine, unknown folders, corrections, nil reports).

Files that need LibreOffice (cached formula values, .ods) or are real old .xls live in
tests/fixtures/sources/ (made by tests/fixtures/make_source_fixtures.py); the others are built here."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from demo.names import to_cp1258_form
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox, quarantine_unknown
from ingestion.parse_file import ParsedFile, parse_file
from ingestion.reader import read_sheets
from tests.conftest import FIXTURES, IMMUNIZATION_FIXTURES

SOURCES = FIXTURES / "sources"
CONTRACTS = load_contracts()
D = dt.date
NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGNATURES = [
    [None, "Người lập biểu", None, None, None, None, "TM. ỦY BAN NHÂN DÂN"],
    [None, "(Ký, ghi rõ họ tên)", None, None, None, None, "CHỦ TỊCH"],
    [None, "Nguyễn Thị Hằng", None, None, None, None, "Lê Văn Bình"],
]
XUAN_THUY = "Phường Xuân Thủy"  # not a ward of Hà Đông
UNKNOWN_WARD = f"Không nhận ra phường '{XUAN_THUY}'"
FUTURE_BIRTH = "Ngày sinh sau cuối kỳ báo cáo (ngày sinh trong tương lai)"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _save(
    path: Path,
    rows: list[list[object]],
    sheet: str,
    merges: tuple[str, ...] = (),
    before: tuple[tuple[str, list[list[object]]], ...] = (),
) -> Path:
    """One visible sheet; ``before`` are hidden sheets placed ahead of it (older copies of the table)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, old_rows in before:
        hidden = book.create_sheet(name)
        for row in old_rows:
            hidden.append(row)
        hidden.sheet_state = "hidden"
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)
    return path


def _ward_office(ward_upper: str, title: str) -> list[list[object]]:
    """Rows 1-5 of a ward office's form: council, ward, blank, table title, blank."""
    return [
        ["UBND QUẬN HÀ ĐÔNG", None, None, None, None, None, NATIONAL[0]],
        [f"UBND PHƯỜNG {ward_upper}", None, None, None, None, None, NATIONAL[1]],
        [],
        [title],
        [],
    ]


def _where(parsed: ParsedFile) -> tuple[str, int, str, str | None]:
    """(sheet, header row, period, ward): where the reader found the table and whose it is."""
    return parsed.sheet, parsed.header_row, parsed.period.key, parsed.ward_code


def _counts(parsed: ParsedFile) -> tuple[int, int, int, int]:
    """(read, loaded, rejected, skipped), checking that every row read is accounted for."""
    counts = (parsed.rows_read, len(parsed.rows), parsed.rows_rejected, parsed.rows_skipped)
    assert counts[0] == counts[1] + counts[2] + counts[3]
    return counts


def _rows(parsed: ParsedFile, *keys: str) -> list[tuple]:
    return [(r["source_row"], *(r[k] for k in keys)) for r in parsed.rows]


def _rejects(parsed: ParsedFile) -> list[tuple[int, str, str, str]]:
    return [(r.row_number, r.column, r.value, r.reason) for r in parsed.rejects]


# --- child_register -------------------------------------------------------------------------------

PERM, TEMP = "permanent", "temporary"
REGISTER_KEYS = (
    "child_id",
    "child_name",
    "birth_date",
    "sex",
    "residence",
    "residential_group",
    "mother_name",
    "hcdb_groups",
)


def child_register_mo_lao(folder: Path) -> Path:
    """Style B (two header rows, merged cells), quarter in Roman numerals, total in the name column."""
    header = [
        ["STT", "Thông tin trẻ em", None, None, None, "Nơi cư trú", None]
        + ["Họ tên mẹ hoặc người chăm sóc", "Thuộc nhóm trẻ em có HCĐB"],
        [None, "Số định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Thường trú/Tạm trú", "Tổ dân phố"],
    ]
    an = [1, "001219000101", "Nguyễn Văn An", "05/01/2019", "Nam", "Thường trú", "TDP 5", "Nguyễn Thị Hoa"]
    # fmt: off
    data = [
        an,  # row 8
        [2, "001320000102", nfd("Trần Thị Bình"), "20/12/2020", "Nữ", "Tạm trú", "TDP 3", "Trần Thị Lan",
         "d;a"],
        [3, None, "Lê Minh Châu", "2/11/17", "Nam", "TT", 5, "Lê Thị Hằng", "Đ"],
        [],
        [4, "001323000104", "Phạm Gia Hân", "2023-04-10", "Nữ", "KT", "TDP 1", None, "A, D, K"],  # row 12
        [5, "001210000105", "Hoàng Văn Đức", D(2010, 6, 30), "Nam", "thường trú", "TDP 2", "Hoàng Thị Vân"],
        [6, "001224000106", "Vũ Thị Hoa", "15/03/2024", "Nữ", "Thường trú", "TDP 5", "Vũ Thị Mai"],
        [7, "001321000107", "Đặng Ngọc Ánh", "20/01/2020", "Nữ", "Thường trú", "TDP 6", "Đặng Thị Hà"],
        [8, "00122200108", "Võ Bảo Long", "01/03/2022", "Nam", "Tạm trú", "TDP 2", "Võ Thị Lý"],  # row 16
        [9, "001225000109", "Bùi Minh Khoa", "02/07/2025", "Nam", "Thường trú", "TDP 4", "Bùi Thị Tâm"],
        [10, "001322000110", "Ngô Thị Lan", "14/02/2022", "Nữ", "Vãng lai", "TDP 1", "Ngô Thị Huệ"],
        [11, *an[1:]],
        [12, "001318000112", "Đinh Thị Mai", "09/09/2018", "Nữ", "Tạm trú", "TDP 4", "Đinh Thị Hà",
         "m"],  # row 20
        [13, "001216000113", "Trịnh Văn Tú", "30/06/2016", "Nam", "Thường trú", "TDP 7", "Trịnh Thị Ngọc"],
        [],
        [None, None, "Tổng cộng", 13],
        [],
        *SIGNATURES,
    ]
    # fmt: on
    rows = [*_ward_office("MỘ LAO", "SỔ THEO DÕI TRẺ EM TRÊN ĐỊA BÀN QUÝ II NĂM 2025"), *header, *data]
    merges = ("A6:A7", "B6:E6", "F6:G6", "H6:H7", "I6:I7")
    return _save(folder / "SoTheoDoiTreEm_MoLao_Q2-2025.xlsx", rows, "SoTheoDoi", merges)


def test_child_register_two_merged_header_rows_and_a_quarter_in_roman_numerals(tmp_path):
    parsed = parse_file(child_register_mo_lao(tmp_path), CONTRACTS["child_register"])
    assert _where(parsed) == ("SoTheoDoi", 6, "2025-Q2", "09541")
    assert (parsed.period.start, parsed.period.end) == (D(2025, 4, 1), D(2025, 6, 30))
    # fmt: off
    assert _rows(parsed, *REGISTER_KEYS) == [
        (8, "001219000101", "Nguyễn Văn An", D(2019, 1, 5), "M", PERM, "TDP 5", "Nguyễn Thị Hoa", None),
        (9, "001320000102", "Trần Thị Bình", D(2020, 12, 20), "F", TEMP, "TDP 3", "Trần Thị Lan", "a;d"),
        (10, None, "Lê Minh Châu", D(2017, 11, 2), "M", PERM, "5", "Lê Thị Hằng", "đ"),
        (12, "001323000104", "Phạm Gia Hân", D(2023, 4, 10), "F", TEMP, "TDP 1", None, "a;d;k"),
        (13, "001210000105", "Hoàng Văn Đức", D(2010, 6, 30), "M", PERM, "TDP 2", "Hoàng Thị Vân", None),
        (20, "001318000112", "Đinh Thị Mai", D(2018, 9, 9), "F", TEMP, "TDP 4", "Đinh Thị Hà", "m"),
        (21, "001216000113", "Trịnh Văn Tú", D(2016, 6, 30), "M", PERM, "TDP 7", "Trịnh Thị Ngọc", None),
    ]
    # fmt: on
    assert unicodedata.is_normalized("NFC", parsed.rows[1]["child_name"])  # typed in NFD
    assert _rejects(parsed) == [
        (
            14,
            "Mã định danh",
            "001224000106",
            "Mã định danh ghi giới tính Nam (chữ số thứ 4 là 2) nhưng cột giới tính ghi Nữ",
        ),
        (15, "Mã định danh", "001321000107", "Mã định danh ghi năm sinh 2021, khác ngày sinh 20/01/2020"),
        (16, "Mã định danh", "00122200108", "Mã định danh '00122200108' phải gồm đúng 12 chữ số"),
        (17, "Ngày sinh", "02/07/2025", FUTURE_BIRTH),
        (
            18,
            "Tình trạng cư trú",
            "Vãng lai",
            "Tình trạng cư trú 'Vãng lai' không hợp lệ (cần một trong: thường trú, tạm trú)",
        ),
        (19, "Mã định danh", "001219000101", "Dòng trùng lặp với dòng 8"),
    ]
    # skipped: blank rows 11 and 22, the total row 23, blank row 24 and the three signature rows
    assert _counts(parsed) == (20, 7, 6, 7)
    assert parsed.nil_report is False


def test_child_register_ward_and_quarter_from_the_file_name_upper_case_headers(tmp_path):
    header = [
        "STT",
        "SO DINH DANH CA NHAN",
        "HO VA TEN TRE EM",
        "NGAY THANG\nNAM SINH",
        "GIOI  TINH",
        " TINH TRANG CU TRU ",
        "TO DAN PHO",
        "HO TEN ME/NGUOI CHAM SOC",
        "NHOM HCDB",
    ]
    rows = [
        ["SỔ THEO DÕI TRẺ EM"],  # no 'UBND PHƯỜNG …' line, no period
        [],
        header,
        [1, "001221000201", "Nguyễn Văn Phúc", "15/04/2021", "NAM", "THUONG TRU", "TDP 7", "Nguyễn Thị Thu"],
        [2, "001322000202", "Lê Thị Quỳnh", "03/09/2022", "NU", "TAM TRU", "TDP 8", "Lê Thị Hạnh", "A;D"],
        ["Tổng cộng", 2],
    ]
    path = _save(tmp_path / "SoTheoDoiTreEm_PhucLa_Q2-2025.xlsx", rows, "SoTheoDoi")
    parsed = parse_file(path, CONTRACTS["child_register"])
    assert (parsed.header_row, parsed.period.key, parsed.ward_code) == (3, "2025-Q2", "09553")
    assert _rows(parsed, *REGISTER_KEYS) == [
        (
            4,
            "001221000201",
            "Nguyễn Văn Phúc",
            D(2021, 4, 15),
            "M",
            "permanent",
            "TDP 7",
            "Nguyễn Thị Thu",
            None,
        ),
        (5, "001322000202", "Lê Thị Quỳnh", D(2022, 9, 3), "F", "temporary", "TDP 8", "Lê Thị Hạnh", "a;d"),
    ]
    assert _counts(parsed) == (3, 2, 0, 1)


def _small_register(path: Path, title: str, children: list[list[object]]) -> Path:
    header = ["STT", "Số định danh cá nhân", "Họ và tên trẻ em", "Ngày tháng năm sinh", "Giới tính"]
    rows = [*_ward_office("MỘ LAO", title), header + ["Tình trạng cư trú"], *children]
    return _save(path, rows, "SoTheoDoi")


def test_child_named_tong_cong_does_not_end_the_table(tmp_path):
    children = [
        [1, "001219000101", "Nguyễn Văn An", "05/01/2019", "Nam", "Thường trú"],
        [2, "001219000102", "Tống Công Minh", "06/01/2019", "Nam", "Thường trú"],
        [3, "001219000103", "Lê Văn Cường", "07/01/2019", "Nam", "Tạm trú"],
        [None, None, "Tổng cộng", 3],
    ]
    path = _small_register(
        tmp_path / "SoTheoDoiTreEm_MoLao_Q1-2025.xlsx", "SỔ THEO DÕI TRẺ EM QUÝ I/2025", children
    )
    parsed = parse_file(path, CONTRACTS["child_register"])
    assert [r["child_name"] for r in parsed.rows] == ["Nguyễn Văn An", "Tống Công Minh", "Lê Văn Cường"]
    assert _counts(parsed) == (4, 3, 0, 1)


def test_child_register_birth_just_over_18_years_before_the_period_end_is_rejected(tmp_path):
    children = [
        [1, "001207000101", "Nguyễn Văn An", "29/03/2007", "Nam", "Thường trú"],  # 18 years and 2 days
        [2, "001207000102", "Lê Văn Bình", "31/03/2007", "Nam", "Thường trú"],  # 18 today: not over 18
    ]
    path = _small_register(
        tmp_path / "SoTheoDoiTreEm_MoLao_Q1-2025.xlsx", "SỔ THEO DÕI TRẺ EM QUÝ I/2025", children
    )
    parsed = parse_file(path, CONTRACTS["child_register"])
    assert parsed.period.key == "2025-Q1"
    assert [r["child_name"] for r in parsed.rows] == ["Lê Văn Bình"]
    assert _rejects(parsed) == [
        (7, "Ngày sinh", "29/03/2007", "Ngày sinh quá xa (trên 18 tuổi): kiểm tra lại ngày sinh")
    ]


# --- hcdb_support ---------------------------------------------------------------------------------


def test_hcdb_support_real_xls_with_upper_case_headers_and_a_line_break():
    parsed = parse_file(SOURCES / "HoTroTreHCDB_VanQuan_T03-2025.xls", CONTRACTS["hcdb_support"])
    assert _where(parsed) == ("HoTro", 6, "2025-03", "09542")
    keys = ("child_id", "child_name", "birth_date", "sex", "hcdb_groups", "support_kind", "support_date")
    # fmt: off
    assert _rows(parsed, *keys, "amount_vnd", "funding_source") == [
        (7, "001214002001", "Nguyễn Văn Hùng", D(2014, 5, 12), "M", "a;d", "cash", D(2025, 3, 5), 1000000,
         "ward_budget"),
        (8, "001316002002", "Trần Thị Lụa", D(2016, 8, 20), "F", "a;d", "gift", D(2025, 3, 8), 500000,
         "child_fund"),
        (9, "001218002003", "Lê Văn Tâm", D(2018, 2, 3), "M", "đ", "visit", D(2025, 3, 10), 0, "social"),
        (11, "001320002004", "Phạm Thị Hồng", D(2020, 7, 15), "F", "k", "referral", D(2025, 3, 12), 0, None),
        (12, "001213002005", "Vũ Văn Long", D(2013, 1, 1), "M", "b", "service", D(2025, 3, 14), 300000,
         "district_budget"),
        (18, "001311002011", "Kiều Thị Oanh", D(2011, 11, 11), "F", "e;g", "cash", D(2025, 3, 25), 150000,
         "ward_budget"),
    ]
    # fmt: on
    assert unicodedata.is_normalized("NFC", parsed.rows[1]["child_name"])  # typed in NFD
    assert _rejects(parsed) == [
        (
            13,
            "Hình thức hỗ trợ",
            "Học bổng",
            "Hình thức hỗ trợ 'Học bổng' không hợp lệ (cần một trong: tiền mặt, quà, thăm hỏi, dịch vụ, "
            "chuyển gửi)",
        ),
        (
            14,
            "Nhóm HCĐB",
            "p",
            "Nhóm HCĐB: mã 'p' không có trong danh mục (a, b, c, d, đ, e, g, h, i, k, l, m, n, o)",
        ),
        (15, "Ngày sinh", "05/04/2025", FUTURE_BIRTH),
        (15, "Ngày hỗ trợ", "20/03/2025", "Ngày hỗ trợ trước ngày sinh"),
        (16, "Mã định danh", "001214002001", "Dòng trùng lặp với dòng 7"),
        (17, "Ngày hỗ trợ", "02/04/2025", "Ngày hỗ trợ sau cuối kỳ báo cáo (31/03/2025)"),
    ]
    # skipped: blank rows 10, 19, 21, the total row 20 and the signature row 22
    assert _counts(parsed) == (16, 6, 5, 5)


def _support_file(path: Path, amount: object, with_date: bool = True) -> Path:
    header = [
        "STT",
        "Mã định danh",
        "Họ và tên trẻ",
        "Ngày sinh",
        "Giới tính",
        "Nhóm HCĐB",
        "Hình thức hỗ trợ",
    ]
    row = [1, "001215000101", "Lê Văn A", D(2015, 1, 1), "Nam", "a", "Tiền mặt"]
    if with_date:
        header, row = header + ["Ngày hỗ trợ"], row + [D(2025, 3, 3)]
    title = _ward_office("MỘ LAO", "DANH SÁCH TRẺ EM CÓ HCĐB ĐƯỢC HỖ TRỢ THÁNG 03 NĂM 2025")
    rows = [*title, header + ["Số tiền (đồng)"], row + [amount], ["Tổng cộng", 1]]
    return _save(path, rows, "HoTro")


# --- vitamin_a ------------------------------------------------------------------------------------

VITAMIN_TITLE = [
    ["TRUNG TÂM Y TẾ QUẬN HÀ ĐÔNG"],
    ["TRẠM Y TẾ PHƯỜNG HÀ CẦU"],
    ["DANH SÁCH TRẺ UỐNG VITAMIN A ĐỢT THÁNG 6 NĂM 2025"],
    [],
    [
        "STT",
        "Mã định danh",
        "Họ và tên trẻ",
        "Ngày sinh",
        "Giới tính",
        "Phường",
        "Đợt",
        "Ngày uống",
        "Liều (IU)",
    ],
]
ROUND = "Tháng 6/2025"
# fmt: off
VITAMIN_ROWS = [
    [1, "001324000301", "Nguyễn Thị Thảo", D(2024, 9, 10), "Nữ", "Hà Cầu", ROUND, D(2025, 6, 2), 100000],
    [2, "001223000302", "Trần Văn Hải", D(2023, 1, 15), "Nam", "P. Hà Cầu", ROUND, D(2025, 6, 2), 200000],
    [3, "001224000303", "Lê Văn Kiên", D(2024, 5, 5), "Nam", "HA CAU", ROUND, D(2025, 6, 3), 150000],
    [4, "001322000304", "Phạm Thị Yến", D(2022, 2, 2), "Nữ", XUAN_THUY, ROUND, D(2025, 6, 3), 200000],
    [5, "001222000305", "Vũ Văn Quý", D(2022, 8, 8), "Nam", "phường Hà Cầu", ROUND, D(2025, 7, 1), 200000],
    [6, "001321000306", "Đỗ Thị Hà", D(2021, 12, 1), "Nữ", "Phường Hà Cầu", None, D(2025, 6, 4), 200000],
    [],
    ["Tổng cộng", 6],
]
OLDER_COPY = [
    [1, "001324000301", "Nguyễn Thị Thảo (cũ)", D(2024, 9, 10), "Nữ", "Hà Cầu", ROUND, D(2025, 6, 1), 100000],
    [2, "001223000302", "Trần Văn Hải (cũ)", D(2023, 1, 15), "Nam", "Hà Cầu", ROUND, D(2025, 6, 1), 200000],
]
# fmt: on


def vitamin_a_ha_cau(folder: Path) -> Path:
    """Style A with Excel dates; an older copy of the table kept on a hidden sheet ahead of it."""
    return _save(
        folder / "VitaminA_HaCau_T06-2025.xlsx",
        [*VITAMIN_TITLE, *VITAMIN_ROWS],
        "VitaminA",
        before=(("VitaminA cũ", [*VITAMIN_TITLE, *OLDER_COPY]),),
    )


def test_vitamin_a_reads_the_visible_sheet_not_a_hidden_older_copy(tmp_path):
    parsed = parse_file(vitamin_a_ha_cau(tmp_path), CONTRACTS["vitamin_a"])
    assert _where(parsed) == ("VitaminA", 5, "2025-06", "09556")
    keys = (
        "child_id",
        "child_name",
        "birth_date",
        "sex",
        "ward_code",
        "vitamin_round",
        "dose_date",
        "dose_iu",
    )
    assert _rows(parsed, *keys) == [
        (6, "001324000301", "Nguyễn Thị Thảo", D(2024, 9, 10), "F", "09556", ROUND, D(2025, 6, 2), 100000),
        (7, "001223000302", "Trần Văn Hải", D(2023, 1, 15), "M", "09556", ROUND, D(2025, 6, 2), 200000),
        (11, "001321000306", "Đỗ Thị Hà", D(2021, 12, 1), "F", "09556", None, D(2025, 6, 4), 200000),
    ]
    assert _rejects(parsed) == [
        (8, "Liều (IU)", "150000", "Liều (IU) = 150.000 không hợp lệ (cần: 100.000, 200.000)"),
        (9, "Phường", "Phường Xuân Thủy", UNKNOWN_WARD),
        (10, "Ngày uống", "01/07/2025", "Ngày uống sau cuối kỳ báo cáo (30/06/2025)"),
    ]
    assert _counts(parsed) == (8, 3, 3, 2)


def test_vitamin_a_hidden_original_with_the_expected_sheet_name_is_ignored(tmp_path):
    path = _save(
        tmp_path / "VitaminA_HaCau_T06-2025.xlsx",
        [*VITAMIN_TITLE, *VITAMIN_ROWS],
        "VitaminA (2)",
        before=(("VitaminA", [*VITAMIN_TITLE, *OLDER_COPY]),),
    )
    parsed = parse_file(path, CONTRACTS["vitamin_a"])
    assert parsed.sheet == "VitaminA (2)"
    assert [r["child_name"] for r in parsed.rows] == ["Nguyễn Thị Thảo", "Trần Văn Hải", "Đỗ Thị Hà"]


# --- birth_registration ---------------------------------------------------------------------------


def test_birth_registration_ods_made_by_libreoffice_with_a_merged_two_row_header():
    parsed = parse_file(SOURCES / "DangKyKhaiSinh_YenNghia_T03-2025.ods", CONTRACTS["birth_registration"])
    assert _where(parsed) == ("KhaiSinh", 6, "2025-03", "09562")
    keys = ("child_id", "child_name", "birth_date", "sex", "mother_name", "registration_date")
    # fmt: off
    assert _rows(parsed, *keys, "registration_ward_code", "linked_procedure") == [
        (8, "001325003001", "Nguyễn Thị Ngọc Ánh", D(2025, 3, 2), "F", "Trần Thị Hoa", D(2025, 3, 10),
         "09562", True),
        # born the year before, registered this month
        (9, "001224003002", "Phạm Văn Bảo", D(2024, 12, 28), "M", "Lê Thị Thu", D(2025, 3, 5),
         "09562", False),
        (11, "001225003003", "Đỗ Minh Khang", D(2025, 3, 1), "M", "Vũ Thị Lan", D(2025, 3, 15),
         "09562", True),
    ]
    # fmt: on
    assert unicodedata.is_normalized("NFC", parsed.rows[0]["child_name"])  # typed in NFD
    assert _rejects(parsed) == [
        (12, "Ngày đăng ký", "18/03/2025", "Ngày đăng ký trước ngày sinh"),
        (13, "Ngày đăng ký", "02/04/2025", "Ngày đăng ký sau cuối kỳ báo cáo (31/03/2025)"),
        (14, "Nơi đăng ký", "Phường Xuân Thủy", UNKNOWN_WARD),
        (15, "Liên thông", "Chưa rõ", "Liên thông 'Chưa rõ' không hợp lệ (cần một trong: có, không)"),
    ]
    # skipped: blank rows 10, 16, 18, the total row 17, the signature row 19
    assert _counts(parsed) == (12, 3, 4, 5)


# --- health_insurance -----------------------------------------------------------------------------

# fmt: off
HEALTH_INSURANCE_CSV = "\r\n".join([
    "Mã thẻ BHYT,Mã định danh,Họ tên,Ngày sinh,Giới tính,Phường/Xã,Ngày cấp,Giá trị từ ngày,Giá trị đến ngày",
    'te1010123456789,001224000401,"Nguyễn Văn Tú",15/01/2024,Nam,Phường Mộ Lao,'
    '20/01/2024,20/01/2024,19/01/2025',
    'TE1 01 0123456790,001325000402,"Trần Thị Ngân",03/02/2025,Nữ,Phường Yết Kiêu,'
    '10/02/2025,10/02/2025,09/02/2026',
    'TE1010123456791,,"Lê Văn Định",2023-07-09,Nam,Nguyễn Trãi,1/8/23,01/08/2023,31/07/2024',
    'TE10101234,001223000404,"Hà Văn Bình",05/05/2023,Nam,Phường Mộ Lao,06/05/2023,06/05/2023,05/05/2024',
    'TE1010123456792,001322000405,"Đỗ Thị Hương",12/12/2022,Nữ,Phường Phúc La,'
    '01/03/2025,01/03/2025,28/02/2025',
    'TE1010123456793,001221000406,"Vũ Văn Lâm",07/07/2021,Nam,Phường Xuân Thủy,'
    '07/07/2024,07/07/2024,06/07/2025',
    'te1010123456789,001224000401,"Nguyễn Văn Tú",15/01/2024,Nam,Phường Mộ Lao,'
    '20/01/2024,20/01/2024,19/01/2025',
    'TE1010123456794,001320000407,"Hồ Thị Lan",05/05/2020,Nữ,P. Phúc La,10/05/2024,10/05/2024,09/05/2025',
]) + "\r\n"
# fmt: on
ENCODINGS = {
    "utf-8-bom": lambda text: text.encode("utf-8-sig"),
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-16": lambda text: text.encode("utf-16"),
    # Windows-1258: tone marks as combining characters, as Vietnamese Windows software writes them
    "cp1258": lambda text: to_cp1258_form(text).encode("cp1258"),
}


def health_insurance_csv(folder: Path, encoding: str = "utf-8-bom") -> Path:
    path = folder / "BHYT_TE_HaDong_202503.csv"
    path.write_bytes(ENCODINGS[encoding](HEALTH_INSURANCE_CSV))
    return path


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_health_insurance_csv_in_every_encoding_the_district_sends(tmp_path, encoding):
    path = health_insurance_csv(tmp_path, encoding)
    if encoding == "cp1258":
        assert not path.read_bytes().decode("cp1258").isascii()  # really Windows-1258, not plain ASCII
    parsed = parse_file(path, CONTRACTS["health_insurance"])
    assert (parsed.header_row, parsed.period.key, parsed.ward_code) == (1, "2025-03", None)  # district-wide
    keys = ("card_number", "child_id", "child_name", "birth_date", "sex", "ward_code")
    # fmt: off
    assert _rows(parsed, *keys, "issue_date", "valid_from", "valid_to") == [
        (2, "TE1010123456789", "001224000401", "Nguyễn Văn Tú", D(2024, 1, 15), "M", "09541", D(2024, 1, 20),
         D(2024, 1, 20), D(2025, 1, 19)),
        # a pre-2025 ward keeps its own GSO code
        (3, "TE1010123456790", "001325000402", "Trần Thị Ngân", D(2025, 2, 3), "F", "09547", D(2025, 2, 10),
         D(2025, 2, 10), D(2026, 2, 9)),
        (4, "TE1010123456791", None, "Lê Văn Định", D(2023, 7, 9), "M", "09538", D(2023, 8, 1), D(2023, 8, 1),
         D(2024, 7, 31)),
        (9, "TE1010123456794", "001320000407", "Hồ Thị Lan", D(2020, 5, 5), "F", "09553", D(2024, 5, 10),
         D(2024, 5, 10), D(2025, 5, 9)),
    ]
    # fmt: on
    assert all(unicodedata.is_normalized("NFC", r["child_name"]) for r in parsed.rows)
    # compared composed: Windows-1258 rejects keep their combining marks (see the xfail test below)
    assert [tuple(map(nfc, r)) for r in _rejects(parsed)] == [
        (
            5,
            "Mã thẻ BHYT",
            "TE10101234",
            "Mã thẻ BHYT 'TE10101234' không đúng dạng (gồm 15 ký tự: 2 chữ cái, 13 chữ số "
            "(ví dụ TE1010123456789))",
        ),
        (6, "Giá trị đến ngày", "28/02/2025", "Giá trị đến ngày trước giá trị từ ngày"),
        (7, "Phường", "Phường Xuân Thủy", UNKNOWN_WARD),
        (8, "Mã thẻ BHYT", "te1010123456789", "Dòng trùng lặp với dòng 2"),
    ]
    assert _counts(parsed) == (8, 4, 4, 0)


def test_rejects_from_a_windows_1258_csv_are_stored_composed(tmp_path):
    parsed = parse_file(health_insurance_csv(tmp_path, "cp1258"), CONTRACTS["health_insurance"])
    [ward] = [r for r in parsed.rejects if r.row_number == 7]
    assert (ward.value, ward.reason) == (XUAN_THUY, UNKNOWN_WARD)


# --- protection_cases -----------------------------------------------------------------------------

PROTECTION_HEADER = [
    "STT",
    "Mã hồ sơ",
    "Mã trẻ",
    "  Tuổi ",
    "Giới tính",
    "Hình thức  xâm hại",
    "Ngày tiếp nhận",
    "Ngày can thiệp",
    "Hình thức hỗ trợ",
    "Tình trạng",
]
CASE = "BVTE-09565-2025-03-"
NOT_YET = [None, None, "Chưa can thiệp"]
# fmt: off
PROTECTION_ROWS = [
    [1, "bvte-09565-2025-03-01", "te-000123", 9, "Nữ", "Bạo lực thể chất", D(2025, 3, 2), D(2025, 3, 3),
     "Tư vấn tâm lý", "Đang theo dõi"],
    [2, CASE + "02", "TE-000124", 15, "Nam", "bỏ mặc, sao nhãng", "05/03/2025", None, None, "Chưa can thiệp"],
    [3, CASE + "03", None, 12, "Nữ", "XÂM HẠI TÌNH DỤC", "2025-03-10", "12/03/2025", "Trợ giúp pháp lý",
     "Đã đóng hồ sơ"],
    [4, CASE + "04", "TE-000126", 8, "Nam", "Bạo lực tinh thần", D(2025, 3, 20), D(2025, 3, 18), "Tư vấn",
     "Đang theo dõi"],
    [5, CASE + "01", "TE-000127", 10, "Nam", "Bóc lột sức lao động", D(2025, 3, 21), None, None,
     "Chưa xử lý"],
    [6, CASE + "06", "TE-000128", 18, "Nữ", "Mua bán trẻ em", D(2025, 3, 22), D(2025, 3, 22),
     "Chăm sóc thay thế", "Đang can thiệp"],
    [7, CASE + "07", "TE-000129", 6, "Nam", "Bỏ rơi", D(2025, 4, 2), None, None, "Chưa can thiệp"],
]
# fmt: on


def protection_file(path: Path, month: int, cases: list[list[object]], total: int | None = None) -> Path:
    """Kiến Hưng's monthly list: a three-row title block, style A header with stray spaces."""
    title = [
        ["UBND PHƯỜNG KIẾN HƯNG"],
        [f"BÁO CÁO TRƯỜNG HỢP TRẺ EM BỊ XÂM HẠI, BẠO LỰC THÁNG {month}/2025"],
        [],
    ]
    footer = [[], ["Tổng cộng", len(cases) if total is None else total], [], SIGNATURES[0]]
    return _save(path, [*title, PROTECTION_HEADER, *cases, *footer], "BaoVe")


def test_protection_cases_codes_choices_and_an_intervention_before_the_report(tmp_path):
    path = protection_file(tmp_path / "BaoVeTreEm_KienHung_T03-2025.xlsx", 3, PROTECTION_ROWS)
    parsed = parse_file(path, CONTRACTS["protection_cases"])
    assert _where(parsed) == ("BaoVe", 4, "2025-03", "09565")
    keys = ("case_id", "child_code", "age", "sex", "abuse_type", "reported_date", "intervened_date")
    # fmt: off
    assert _rows(parsed, *keys, "support_measure", "case_status") == [
        (5, CASE + "01", "TE-000123", 9, "F", "physical_violence", D(2025, 3, 2), D(2025, 3, 3),
         "counselling", "monitoring"),
        (6, CASE + "02", "TE-000124", 15, "M", "neglect", D(2025, 3, 5), None, None, "not_intervened"),
        (7, CASE + "03", None, 12, "F", "sexual_abuse", D(2025, 3, 10), D(2025, 3, 12), "legal_aid",
         "closed"),
    ]
    # fmt: on
    assert _rejects(parsed) == [
        (8, "Ngày can thiệp", "18/03/2025", "Ngày can thiệp trước ngày tiếp nhận"),
        (9, "Mã hồ sơ", CASE + "01", "Dòng trùng lặp với dòng 5"),
        (10, "Tuổi", "18", "Tuổi = 18 lớn hơn 17"),
        (11, "Ngày tiếp nhận", "02/04/2025", "Ngày tiếp nhận sau cuối kỳ báo cáo (31/03/2025)"),
    ]
    assert _counts(parsed) == (11, 3, 4, 4)


def test_protection_cases_nil_report_is_accepted_with_no_rows(tmp_path):
    path = protection_file(tmp_path / "BaoVeTreEm_KienHung_T04-2025.xlsx", 4, [], total=0)
    parsed = parse_file(path, CONTRACTS["protection_cases"])
    assert (parsed.nil_report, parsed.rows, parsed.rejects) == (True, [], [])
    assert (parsed.period.key, parsed.ward_code) == ("2025-04", "09565")
    assert _counts(parsed) == (4, 0, 0, 4)  # blank, 'Tổng cộng | 0', blank, signature


# --- injuries -------------------------------------------------------------------------------------

INJURY_HEADER = ["STT", "Tuổi", "Giới tính", "Ngày xảy ra", "Nguyên nhân", "Nơi xảy ra", "Tử vong"]
INJURY_KEYS = ("age", "sex", "injury_date", "cause", "place", "fatal")


def injuries_nguyen_trai_2024(folder: Path) -> Path:
    """The 2024 baseline of a pre-2025 ward, signed in January 2025 (that date is not the period)."""
    title = [
        ["UBND QUẬN HÀ ĐÔNG", None, None, None, NATIONAL[0]],
        ["UBND PHƯỜNG NGUYỄN TRÃI", None, None, None, NATIONAL[1]],
        [None, None, None, None, "Hà Đông, ngày 10 tháng 01 năm 2025"],
        ["BÁO CÁO TAI NẠN, THƯƠNG TÍCH TRẺ EM NĂM 2024"],
        [],
    ]
    data = [
        [1, 3, "Nam", D(2024, 2, 14), "Ngã", "Tại nhà", "Không"],
        [2, 7, "Nữ", "05/06/2024", "Đuối nước", "Ao làng", "Có"],
        [3, 12, "Nam", "2024-09-01", "Tai nạn giao thông", "Đường Quang Trung", "không"],
        [4, 1, "Nữ", "3/11/24", "BỎNG", None, "x"],
        [5, 5, "Nam", D(2025, 1, 3), "Ngã", "Trường học", "Không"],
        [6, 5, "Nam", D(2023, 12, 30), "Ngộ độc", "Tại nhà", "Không"],
        [7, 9, "Nữ", "20/07/2024", "Điện giật", "Tại nhà", "Không"],
        [8, 3, "Nam", D(2024, 2, 14), "Ngã", "Tại nhà", "Không"],
        [],
        ["Tổng cộng", 8],
    ]
    return _save(folder / "TaiNanThuongTich_NguyenTrai_2024.xlsx", [*title, INJURY_HEADER, *data], "TNTT")


def test_injuries_yearly_2024_file_of_a_pre_2025_ward(tmp_path):
    parsed = parse_file(injuries_nguyen_trai_2024(tmp_path), CONTRACTS["injuries"])
    assert _where(parsed) == ("TNTT", 6, "2024", "09538")
    assert (parsed.period.start, parsed.period.end) == (D(2024, 1, 1), D(2024, 12, 31))
    assert _rows(parsed, *INJURY_KEYS) == [
        (7, 3, "M", D(2024, 2, 14), "fall", "Tại nhà", False),
        (8, 7, "F", D(2024, 6, 5), "drowning", "Ao làng", True),
        (9, 12, "M", D(2024, 9, 1), "traffic", "Đường Quang Trung", False),
        (10, 1, "F", D(2024, 11, 3), "burn", None, True),
        # reported late: an event of an earlier period is kept, with its own date
        (12, 5, "M", D(2023, 12, 30), "poisoning", "Tại nhà", False),
    ]
    assert _rejects(parsed) == [
        (11, "Ngày xảy ra", "03/01/2025", "Ngày xảy ra sau cuối kỳ báo cáo (31/12/2024)"),
        (
            13,
            "Nguyên nhân",
            "Điện giật",
            "Nguyên nhân 'Điện giật' không hợp lệ (cần một trong: ngã, giao thông, bỏng, ngộ độc, "
            "đuối nước, khác)",
        ),
        (
            14,
            "Tuổi",
            "3",
            "Dòng trùng lặp với dòng 7; nếu đây là hai trẻ khác nhau, hãy ghi rõ ở cột Nơi xảy ra "
            "(ví dụ 'Tại nhà – trẻ thứ 2') rồi gửi lại",
        ),
    ]
    assert _counts(parsed) == (10, 5, 3, 2)


def _injuries(path: Path, title: list[list[object]], data: list[list[object]]) -> Path:
    return _save(path, [*title, INJURY_HEADER, *data], "TNTT")


def test_injuries_ward_and_year_known_only_from_the_file_name(tmp_path):
    path = _injuries(
        tmp_path / "TaiNanThuongTich_YetKieu_2024.xlsx",
        [["BÁO CÁO TAI NẠN, THƯƠNG TÍCH TRẺ EM"]],
        [[1, 4, "Nam", D(2024, 8, 8), "Khác", None, "Không"]],
    )
    parsed = parse_file(path, CONTRACTS["injuries"])
    assert (parsed.period.key, parsed.ward_code) == ("2024", "09547")
    assert _rows(parsed, *INJURY_KEYS) == [(3, 4, "M", D(2024, 8, 8), "other", None, False)]


INJURY_TITLE = [["UBND PHƯỜNG MỘ LAO"], ["TAI NẠN THƯƠNG TÍCH TRẺ EM THÁNG 03 NĂM 2025"]]


def test_injuries_fatal_as_excel_true_and_false(tmp_path):
    data = [
        [1, 3, "Nam", D(2025, 3, 2), "Ngã", "Tại nhà", False],
        [2, 5, "Nữ", D(2025, 3, 3), "Bỏng", "Tại nhà", True],
    ]
    path = _injuries(tmp_path / "TaiNanThuongTich_MoLao_T03-2025.xlsx", INJURY_TITLE, data)
    parsed = parse_file(path, CONTRACTS["injuries"])
    assert parsed.rejects == []
    assert [r["fatal"] for r in parsed.rows] == [False, True]


def test_injuries_fatal_typed_as_the_numbers_1_and_0(tmp_path):
    data = [
        [1, 3, "Nam", D(2025, 3, 2), "Ngã", "Tại nhà", 1],
        [2, 5, "Nữ", D(2025, 3, 3), "Bỏng", "Tại nhà", 0],
    ]
    path = _injuries(tmp_path / "TaiNanThuongTich_MoLao_T03-2025.xlsx", INJURY_TITLE, data)
    parsed = parse_file(path, CONTRACTS["injuries"])
    assert parsed.rejects == []
    assert [r["fatal"] for r in parsed.rows] == [True, False]


# --- child_friendly -------------------------------------------------------------------------------


def test_child_friendly_formulas_are_read_through_their_cached_values():
    path = SOURCES / "PhuHopTreEm_DongMai_2025.xlsx"
    [sheet] = read_sheets(path)
    assert list(sheet.rows())[22][:5] == ["Tổng cộng", "", "", 1090.0, 987.0]  # =SUM(…) cached by LibreOffice
    parsed = parse_file(path, CONTRACTS["child_friendly"])
    assert _where(parsed) == ("PHTE", 6, "2025", "10117")
    assert _rows(parsed, "criterion", "max_points", "score", "met") == [
        (7, 1, 100, 100, True),
        (8, 2, 80, 75, True),  # =40+35
        (9, 3, 80, 72, True),  # =ROUND(80*0.9,0)
        (10, 4, 80, 70, True),  # =D10-10
        (11, 5, 80, 60, False),
        (12, 6, 70, 70, True),
        (13, 7, 70, 35, False),  # 'Chưa đạt'
        (14, 8, 70, 65, True),
        (15, 9, 70, 70, True),
        (16, 10, 80, 80, True),
        (19, 13, 80, 75, True),
    ]
    assert parsed.rows[0]["criterion_text"] == "Tỷ lệ trẻ em dưới 6 tuổi được cấp thẻ BHYT"
    assert _rejects(parsed) == [
        (17, "Điểm tự đánh giá", "90", "Điểm tự đánh giá (90) lớn hơn điểm tối đa (80)"),
        (18, "Kết quả", "Tốt", "Kết quả 'Tốt' không hợp lệ (cần một trong: đạt, không đạt)"),
        (20, "Tiêu chí số", "14", "Tiêu chí số = 14 lớn hơn 13"),
        (21, "Tiêu chí số", "5", "Dòng trùng lặp với dòng 11"),
    ]
    assert _counts(parsed) == (20, 11, 4, 5)


# --- through the inbox, into a real warehouse -----------------------------------------------------


def _drop(home, source: str, path: Path, name: str | None = None) -> Path:
    inbox = home.source_inbox(source)
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / (name or path.name)
    shutil.copyfile(path, target)
    return target


def _registry(con, source: str) -> list[tuple]:
    return con.execute(
        "select file_name, outcome, period, ward_code, rows_read, rows_loaded, rows_rejected, rows_skipped "
        "from raw.file_registry where source = ? order by processed_at",
        [source],
    ).fetchall()


def test_one_file_of_every_source_loads_typed_values_into_raw(home, con, tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    files = {
        "child_register": child_register_mo_lao(made),
        "hcdb_support": SOURCES / "HoTroTreHCDB_VanQuan_T03-2025.xls",
        "vitamin_a": vitamin_a_ha_cau(made),
        "birth_registration": SOURCES / "DangKyKhaiSinh_YenNghia_T03-2025.ods",
        "health_insurance": health_insurance_csv(made, "cp1258"),
        "protection_cases": protection_file(made / "BaoVeTreEm_KienHung_T03-2025.xlsx", 3, PROTECTION_ROWS),
        "injuries": injuries_nguyen_trai_2024(made),
        "child_friendly": SOURCES / "PhuHopTreEm_DongMai_2025.xlsx",
    }
    expected = {
        "child_register": ("2025-Q2", "09541", 20, 7, 6, 7),
        "hcdb_support": ("2025-03", "09542", 16, 6, 5, 5),
        "vitamin_a": ("2025-06", "09556", 8, 3, 3, 2),
        "birth_registration": ("2025-03", "09562", 12, 3, 4, 5),
        "health_insurance": ("2025-03", None, 8, 4, 4, 0),
        "protection_cases": ("2025-03", "09565", 11, 3, 4, 4),
        "injuries": ("2024", "09538", 10, 5, 3, 2),
        "child_friendly": ("2025", "10117", 20, 11, 4, 5),
    }
    for source, path in files.items():
        _drop(home, source, path)
        [outcome] = ingest_inbox(con, CONTRACTS[source], home)
        assert (outcome.outcome, outcome.reason) == ("loaded", None), source
        assert _registry(con, source) == [(path.name, "loaded", *expected[source])]
        loaded, rejects = con.execute(
            f"select (select count(*) from raw.{source}), "
            "(select count(distinct row_number) from raw.row_rejects where source = ?)",
            [source],
        ).fetchone()
        assert (loaded, rejects) == expected[source][3:5], source
    assert con.execute(
        "select residence, hcdb_groups from raw.child_register order by source_row"
    ).fetchall()[:4] == [
        ("permanent", None),
        ("temporary", "a;d"),
        ("permanent", "đ"),
        ("temporary", "a;d;k"),
    ]
    assert con.execute(
        "select support_kind, amount_vnd, funding_source from raw.hcdb_support order by source_row limit 2"
    ).fetchall() == [("cash", 1000000, "ward_budget"), ("gift", 500000, "child_fund")]
    assert con.execute(
        "select card_number, child_name, ward_code from raw.health_insurance order by source_row"
    ).fetchall() == [
        ("TE1010123456789", "Nguyễn Văn Tú", "09541"),
        ("TE1010123456790", "Trần Thị Ngân", "09547"),
        ("TE1010123456791", "Lê Văn Định", "09538"),
        ("TE1010123456794", "Hồ Thị Lan", "09553"),
    ]
    assert con.execute("select fatal from raw.injuries order by source_row").fetchall() == [
        (False,),
        (True,),
        (False,),
        (True,),
        (False,),  # row 12, an event of December 2023 reported in the 2024 file
    ]
    assert con.execute(
        "select linked_procedure, registration_date from raw.birth_registration order by source_row"
    ).fetchall() == [(True, D(2025, 3, 10)), (False, D(2025, 3, 5)), (True, D(2025, 3, 15))]
    assert con.execute(
        "select sum(score), count(*) filter (where met) from raw.child_friendly"
    ).fetchone() == (772, 9)
    assert con.execute(
        "select reason from raw.row_rejects where source = 'vitamin_a' order by row_number"
    ).fetchall() == [
        ("Liều (IU) = 150.000 không hợp lệ (cần: 100.000, 200.000)",),
        (UNKNOWN_WARD,),
        ("Ngày uống sau cuối kỳ báo cáo (30/06/2025)",),
    ]


def test_missing_required_column_is_quarantined_with_its_reason_in_receipt_and_registry(home, con, tmp_path):
    path = _support_file(tmp_path / "HoTroTreHCDB_MoLao_T03-2025.xlsx", 500000, with_date=False)
    _drop(home, "hcdb_support", path)
    [outcome] = ingest_inbox(con, CONTRACTS["hcdb_support"], home)
    reason = "Thiếu cột bắt buộc: Ngày hỗ trợ (bảng ở trang 'HoTro', dòng tiêu đề 6)"
    assert (outcome.outcome, outcome.reason) == ("quarantined", reason)
    stored = home.quarantine / "hcdb_support" / f"{outcome.file_id}__HoTroTreHCDB_MoLao_T03-2025.xlsx"
    assert stored.read_bytes() == path.read_bytes()
    receipt = stored.with_name(stored.name + ".receipt.txt").read_text(encoding="utf-8")
    assert "KẾT QUẢ: KHÔNG NHẬN" in receipt
    assert f"Lý do: {reason}\n" in receipt
    assert con.execute(
        "select outcome, reason, stored_as, rows_loaded from raw.file_registry"
    ).fetchall() == [("quarantined", reason, f"quarantine/hcdb_support/{stored.name}", 0)]
    assert con.execute("select count(*) from raw.hcdb_support").fetchone() == (0,)
    assert list(home.source_inbox("hcdb_support").iterdir()) == []


FOLDERS = (
    "birth_registration/, child_friendly/, child_register/, hcdb_support/, health_insurance/, immunization/, "
    "injuries/, protection_cases/, vitamin_a/"
)


def test_files_outside_a_source_folder_are_quarantined_as_unknown(home, con):
    wrong = home.inbox / "tiem_chung"
    wrong.mkdir(parents=True)
    shutil.copyfile(IMMUNIZATION_FIXTURES / "TCMR_MoLao_T03-2025.xlsx", wrong / "TCMR_MoLao_T03-2025.xlsx")
    shutil.copyfile(SOURCES / "PhuHopTreEm_DongMai_2025.xlsx", home.inbox / "PhuHopTreEm_DongMai_2025.xlsx")
    outcomes = {o.file_name: o for o in quarantine_unknown(con, home)}
    assert sorted(outcomes) == ["PhuHopTreEm_DongMai_2025.xlsx", "TCMR_MoLao_T03-2025.xlsx"]
    assert outcomes["TCMR_MoLao_T03-2025.xlsx"].reason == (
        "Không rõ tệp thuộc nguồn dữ liệu nào: tệp nằm ở thư mục 'tiem_chung/', không phải thư mục của một "
        f"nguồn. Hãy đặt tệp vào đúng thư mục: {FOLDERS}"
    )
    assert outcomes["PhuHopTreEm_DongMai_2025.xlsx"].reason == (
        "Không rõ tệp thuộc nguồn dữ liệu nào: tệp nằm ở thư mục gốc của hộp thư đến, không phải thư mục "
        f"của một nguồn. Hãy đặt tệp vào đúng thư mục: {FOLDERS}"
    )
    for name, outcome in outcomes.items():
        assert (outcome.source, outcome.outcome) == ("_unknown", "quarantined")
        stored = home.quarantine / "_unknown" / f"{outcome.file_id}__{name}"
        assert stored.exists()
        receipt = stored.with_name(stored.name + ".receipt.txt").read_text(encoding="utf-8")
        assert "Nguồn: Không rõ nguồn" in receipt
        assert f"Lý do: {outcome.reason}" in receipt
    assert list(wrong.iterdir()) == []
    assert sorted(p.name for p in home.inbox.iterdir()) == ["tiem_chung"]
    assert con.execute("select source, outcome, count(*) from raw.file_registry group by all").fetchall() == [
        ("_unknown", "quarantined", 2)
    ]


def _cases(*numbers: int) -> list[list[object]]:
    """Neglect cases reported on day n of March, not yet intervened."""
    return [
        [n, f"{CASE}{n:02d}", f"TE-0001{n:02d}", 10, "Nam", "Bỏ mặc", D(2025, 3, n)] + NOT_YET
        for n in numbers
    ]


def _first_version(home, con, tmp_path) -> tuple[Path, object]:
    """Kiến Hưng's March file with two cases, loaded."""
    first = protection_file(tmp_path / "BaoVeTreEm_KienHung_T03-2025.xlsx", 3, _cases(1, 2))
    _drop(home, "protection_cases", first)
    [one] = ingest_inbox(con, CONTRACTS["protection_cases"], home)
    assert (one.outcome, one.rows_loaded) == ("loaded", 2)
    return first, one


def test_a_correction_supersedes_the_earlier_file_and_raw_keeps_both(home, con, tmp_path):
    first, one = _first_version(home, con, tmp_path)
    second = protection_file(tmp_path / "BaoVeTreEm_KienHung_T03-2025 (sửa).xlsx", 3, _cases(1, 2, 3))
    _drop(home, "protection_cases", second)
    [two] = ingest_inbox(con, CONTRACTS["protection_cases"], home)
    assert (two.outcome, two.rows_loaded) == ("loaded", 3)
    # raw keeps both versions; the registry says which one is current
    assert con.execute(
        "select file_id, count(*) from raw.protection_cases group by 1 order by 2"
    ).fetchall() == [(one.file_id, 2), (two.file_id, 3)]
    assert con.execute(
        "select file_id, superseded_by from raw.file_registry order by processed_at"
    ).fetchall() == [(one.file_id, two.file_id), (two.file_id, None)]
    archive = home.archive / "protection_cases" / "2025-03"
    receipt = (archive / f"{two.file_id}__{second.name}.receipt.txt").read_text(encoding="utf-8")
    assert "KẾT QUẢ: ĐÃ NHẬN – kỳ 2025-03, phường Kiến Hưng." in receipt
    assert f"Tệp này thay thế tệp đã gửi trước cho cùng kỳ (mã tệp {one.file_id})." in receipt
    first_receipt = (archive / f"{one.file_id}__{first.name}.receipt.txt").read_text(encoding="utf-8")
    assert "thay thế" not in first_receipt


def test_a_nil_report_after_data_for_the_same_ward_and_month_is_quarantined(home, con, tmp_path):
    first, one = _first_version(home, con, tmp_path)
    nil = protection_file(tmp_path / "BaoVeTreEm_KienHung_T03-2025_khong.xlsx", 3, [], total=0)
    _drop(home, "protection_cases", nil)
    [outcome] = ingest_inbox(con, CONTRACTS["protection_cases"], home)
    assert (outcome.outcome, outcome.reason) == (
        "quarantined",
        "Tệp không có dòng dữ liệu nào (báo cáo 'không có số liệu') nhưng kỳ 2025-03 đã có tệp với 2 dòng; "
        "tệp này không được thay thế số liệu đã gửi. Nếu cần xoá số liệu kỳ này, "
        "hãy liên hệ cán bộ tổng hợp",
    )
    stored = home.quarantine / "protection_cases" / f"{outcome.file_id}__{nil.name}"
    assert f"Lý do: {outcome.reason}" in stored.with_name(stored.name + ".receipt.txt").read_text(
        encoding="utf-8"
    )
    # the data already sent stays the current version
    assert con.execute(
        "select file_name, outcome, superseded_by from raw.file_registry order by processed_at"
    ).fetchall() == [(first.name, "loaded", None), (nil.name, "quarantined", None)]
    assert con.execute("select count(*) from raw.protection_cases").fetchone() == (2,)


def test_the_same_bytes_under_another_name_are_already_registered(home, con, tmp_path):
    first, one = _first_version(home, con, tmp_path)
    _drop(home, "protection_cases", first, "BanSao.xlsx")
    [again] = ingest_inbox(con, CONTRACTS["protection_cases"], home)
    assert (again.outcome, again.file_id, again.file_name) == (
        "already_registered",
        one.file_id,
        "BanSao.xlsx",
    )
    assert con.execute("select count(*) from raw.file_registry").fetchone() == (1,)
    assert con.execute("select count(*) from raw.protection_cases").fetchone() == (2,)
    assert list(home.source_inbox("protection_cases").iterdir()) == []
    assert [p.name for p in (home.archive / "protection_cases" / "2025-03").glob("*.xlsx")] == [
        f"{one.file_id}__{first.name}"
    ]


def test_a_nil_report_for_a_new_period_loads_with_zero_rows(home, con, tmp_path):
    nil = protection_file(tmp_path / "BaoVeTreEm_KienHung_T04-2025.xlsx", 4, [], total=0)
    _drop(home, "protection_cases", nil)
    [outcome] = ingest_inbox(con, CONTRACTS["protection_cases"], home)
    assert (outcome.outcome, outcome.rows_read, outcome.rows_loaded, outcome.rows_skipped) == (
        "loaded",
        4,
        0,
        4,
    )
    assert _registry(con, "protection_cases") == [(nil.name, "loaded", "2025-04", "09565", 4, 0, 0, 4)]


def test_an_amount_too_large_for_the_raw_column_does_not_block_the_inbox(home, con, tmp_path):
    path = _support_file(tmp_path / "HoTroTreHCDB_MoLao_T03-2025.xlsx", 5_000_000_000)
    _drop(home, "hcdb_support", path)
    [outcome] = ingest_inbox(con, CONTRACTS["hcdb_support"], home)
    assert outcome.outcome in ("loaded", "quarantined")
    assert list(home.source_inbox("hcdb_support").iterdir()) == []


@pytest.mark.parametrize(
    ("text", "is_label"),
    [
        ("Tổng cộng", True),
        ("TỔNG SỐ:", True),
        ("tong cong", True),
        ("  Cộng", True),
        (" :* tong cong", True),  # typed without diacritics: any punctuation fold() strips may lead
        ("\xa0*(tong so)", True),  # a no-break space before it too
        (" :* Tổng cộng", False),  # with diacritics the cell must be the label itself
        ("Tống Công", False),
        ("Trần Văn Cộng", False),
        ("001319609841", False),
        ("TE1010135369883", False),
        ("", False),
    ],
)
def test_the_total_label_is_found_after_what_fold_strips_and_nothing_else_is(text, is_label):
    from ingestion.parse_file import _is_total_label

    assert _is_total_label(text) is is_label
