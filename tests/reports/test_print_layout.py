"""The annexes print right (issue 18), on a hand-made district the size of the real one (15 wards, 12
indicators, 15 vaccine doses, 14 HCĐB groups, 60 late extracts): every page as wide as the paper, a
deliberate column break where the report puts one and nowhere else, the header rows on every page,
the signatures after the last rows and on one page with some of them, no status or mark wrapped
or cut, every figure padded, and no internal name anywhere. The last test prints the workbook with
LibreOffice and reads the pages back."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

import reports.sheet
from reports.build import build_workbook
from reports.cells import NUMBER_FORMATS
from reports.data import ReportData, ReportPeriod, Ward
from reports.metrics import text_pixels
from reports.sheet import PIXELS_PER_CHARACTER, PRINTABLE_HEIGHT, PRINTABLE_WIDTH, page_starts
from tests.libreoffice import convert
from tests.reports.conftest import needs_libreoffice

WARDS = [
    Ward(f"0{9500 + i}", name)
    for i, name in enumerate(
        [
            "Mộ Lao",
            "Văn Quán",
            "Vạn Phúc",
            "Quang Trung",
            "La Khê",
            "Phú La",
            "Phúc La",
            "Hà Cầu",
            "Yên Nghĩa",
            "Kiến Hưng",
            "Phú Lãm",
            "Phú Lương",
            "Dương Nội",
            "Đồng Mai",
            "Biên Giang",
        ]
    )
]
NAMES = [  # twelve indicators, as long as the real ones; the third has no numeric target
    "Tỷ lệ trẻ dưới 6 tuổi có thẻ BHYT",
    "Tỷ lệ trẻ được đăng ký khai sinh đúng hạn",
    "Tỷ lệ đăng ký khai sinh liên thông",
    "Tỷ lệ trẻ dưới 1 tuổi được tiêm chủng đầy đủ",
    "Tỷ lệ bỏ cuộc DPT1 → DPT3",
    "Tỷ lệ trẻ 6–36 tháng được uống vitamin A",
    "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được hỗ trợ",
    "Tỷ lệ trẻ bị xâm hại được can thiệp kịp thời",
    "Tỷ lệ trẻ được khám sức khỏe định kỳ",
    "Tỷ lệ phường đạt chuẩn phù hợp với trẻ em",
    "Tỷ lệ trẻ trong sổ theo dõi có mã định danh",
    "Tỷ lệ phường gửi đủ báo cáo đúng hạn",
]
CATALOGUE = [
    {
        "indicator_code": "dtp_dropout" if n == 5 else f"indicator_{n}",
        "name_vi": name,
        "is_percent": True,
        "target": None if n == 3 else 0.1 if n == 5 else 0.95,
        "target_comparison": "rising" if n == 3 else "at_most" if n == 5 else "at_least",
        "direction": "lower_is_better" if n == 5 else "higher_is_better",
        "numerator_vi": "Số trẻ được tính ở tử số theo định nghĩa của chỉ tiêu",
        "denominator_vi": "Số trẻ trong sổ theo dõi mới nhất của phường vào ngày cuối kỳ",
        "definition_vi": "Trẻ trong sổ theo dõi mới nhất của phường (lập đến ngày cuối kỳ); tử số: như trên",
        "target_source": "Kế hoạch công tác trẻ em năm 2025 của UBND quận, mục I.2",
    }
    for n, name in enumerate(NAMES, start=1)
]
VACCINES = [
    (name, dose)
    for name, doses in [
        ("Lao (BCG)", 1),
        ("Viêm gan B sơ sinh", 1),
        ("DPT-VGB-Hib (5 trong 1)", 3),
        ("Bại liệt uống (OPV)", 3),
        ("Bại liệt tiêm (IPV)", 1),
        ("Sởi", 1),
        ("Viêm não Nhật Bản", 3),
        ("DPT nhắc lại", 1),
        ("Sởi - Rubella (MR)", 1),
    ]
    for dose in range(1, doses + 1)
]
GROUPS = "abcdefghiklmno"
PERIOD = ReportPeriod(
    "2025-BCT-N", "Báo cáo Bộ chỉ tiêu trẻ em năm 2025", dt.date(2025, 1, 1), dt.date(2025, 10, 31),
    dt.date(2025, 11, 12), "report",
)  # fmt: skip
PL1, PL2, PL4, PL6B = (
    "PL1 Bộ chỉ tiêu",
    "PL2 Tiêm chủng, vitamin A",
    "PL4 Trẻ HCĐB",
    "PL6b Chi tiết gửi số liệu",
)


def _indicator(unit: str, n: int, ind: dict) -> dict:
    den = 100 + 7 * n + (int(unit) % 13)
    num = -3 if (ind["indicator_code"] == "dtp_dropout" and unit.endswith(("1", "4"))) else den - (n % 9)
    return {
        "org_unit_code": unit,
        "indicator_code": ind["indicator_code"],
        "numerator": num,
        "denominator": den,
        "value": num / den,
        "target": ind["target"],
        "meets_target": None,
        "baseline": None,
        "target_comparison": ind["target_comparison"],
        "direction": ind["direction"],
    }


def _submission(i: int) -> dict:
    ward = WARDS[i % len(WARDS)]
    return {
        "org_unit_code": ward.code,
        "org_unit_level": "ward",
        "source": ["hcdb", "immunization", "births"][i % 3],
        "period_key": f"2025-{1 + i % 9:02d}",
        "period_label_vi": f"Tháng {1 + i % 9}/2025",
        "deadline": dt.date(2025, 2 + i % 9, 5),
        "first_submitted_at": dt.datetime(2025, 2 + i % 9, 6 + i % 20, 9, 30),
        "pending": False,
        "received": True,
        "on_time": False,
        "days_late": 1 + i % 20,
        "files_quarantined": 0,
        "quarantined_file_name": None,
        "quarantine_reason": None,
    }


def _data() -> ReportData:
    units = [w.code for w in WARDS] + ["268"]
    return ReportData(
        period=PERIOD,
        ward=None,
        wards=WARDS,
        district_name="Hà Đông",
        data_as_of=dt.datetime(2025, 11, 3, 8, 45),
        indicators=[_indicator(u, n, ind) for u in units for n, ind in enumerate(CATALOGUE, start=1)],
        catalogue=CATALOGUE,
        vaccines=[
            {
                "vaccine_code": name,
                "vaccine_name_vi": name,
                "dose_number": dose,
                "vaccine_dose_key": f"{name}#{dose}",
            }
            for name, dose in VACCINES
        ],
        doses={(w.code, f"{name}#{dose}"): 10 + i for i, w in enumerate(WARDS) for name, dose in VACCINES},
        hcdb_groups=[
            {
                "hcdb_group_code": g,
                "name_vi": f"Trẻ em nhóm {g}: mồ côi cả cha và mẹ",
            }
            for g in GROUPS
        ],
        hcdb={(w.code, g): {"children": 6, "children_supported": 5} for w in WARDS for g in GROUPS},
        abuse_types=[{"code": f"t{i}", "name_vi": f"Hình thức {i}"} for i in range(1, 7)],
        injury_causes=[{"code": f"c{i}", "name_vi": f"Nguyên nhân {i}"} for i in range(1, 7)],
        protection={(w.code, "t1"): {"cases": 6, "cases_timely": 6} for w in WARDS},
        injuries={(w.code, "c1"): {"events": 7, "deaths": 0} for w in WARDS},
        submissions=[_submission(i) for i in range(60)],
        sources={
            "hcdb": "Danh sách trẻ em có hoàn cảnh đặc biệt",
            "immunization": "Danh sách trẻ được tiêm chủng",
            "births": "Danh sách đăng ký khai sinh",
        },
    )


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    path = tmp_path_factory.mktemp("print") / "2025-BCT-N_268-toan-quan.xlsx"
    build_workbook(_data()).save(path)
    return path


@pytest.fixture(scope="module")
def workbook(path):
    return load_workbook(path)


def _width(ws, c: int) -> float:
    return ws.column_dimensions[get_column_letter(c)].width


def _boxed(ws) -> list[int]:
    """Rows of the tables (bordered cells), header rows included."""
    return sorted({c.row for row in ws.iter_rows() for c in row if c.border.left.style == "thin"})


def _signature_row(ws) -> int:
    return next(c.row for row in ws.iter_rows() for c in row if c.value == "NGƯỜI LẬP BIỂU")


def _printed(ws) -> tuple[int, int]:
    """The last column and row of the print area."""
    last = re.search(r"\$([A-Z]+)\$(\d+)$", ws.print_area)
    return column_index_from_string(last.group(1)), int(last.group(2))


def _zoom(ws) -> float:
    """The zoom the sheet prints at: its own, or (fitted to the page) the one that fits it."""
    if not ws.sheet_properties.pageSetUpPr.fitToPage:
        return ws.page_setup.scale / 100
    columns, rows = _printed(ws)
    width = sum(_width(ws, c) for c in range(1, columns + 1)) * PIXELS_PER_CHARACTER
    zoom = min(1.0, PRINTABLE_WIDTH / width)
    if int(ws.page_setup.fitToHeight) == 1:  # one page tall as well
        height = sum(ws.row_dimensions[r].height for r in range(1, rows + 1))
        zoom = min(zoom, PRINTABLE_HEIGHT / height)
    return zoom


def _sheet_parts(workbook) -> dict[str, bytes]:
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as parts:
        return {name: parts.read(name) for name in parts.namelist() if name.startswith("xl/worksheets/")}


def test_merged_ranges_are_written_as_openpyxls_own_merge_writes_them(monkeypatch):
    # treem merges without openpyxl's per-range checks (15,000 ranges in a district's reports); the
    # sheets must come out byte for byte as openpyxl's merge_cells makes them
    ours = _sheet_parts(build_workbook(_data()))
    monkeypatch.setattr(
        reports.sheet,
        "_merge",
        lambda ws, first_row, first_column, last_row, last_column: ws.merge_cells(
            start_row=first_row, start_column=first_column, end_row=last_row, end_column=last_column
        ),
    )
    theirs = _sheet_parts(build_workbook(_data()))
    assert sum(part.count(b"<mergeCell ") for part in ours.values()) > 100
    assert ours == theirs


def test_widths_are_counted_in_times_new_roman_so_libreoffice_prints_them_as_excel_does(workbook):
    # with Calibri as the Normal font, LibreOffice without Calibri printed every sheet a quarter wider
    assert workbook._named_styles["Normal"].font.name == "Times New Roman"


def test_deliberate_column_breaks_are_kept_at_a_zoom_where_each_block_fits_the_page(workbook):
    for title, blocks in ((PL1, 4), (PL2, 2)):
        ws = workbook[title]
        breaks = [b.id for b in ws.col_breaks.brk]
        assert len(breaks) == blocks - 1 and ws.print_title_cols == "$A:$B", title
        # "fit to N pages wide" makes Excel and LibreOffice ignore manual breaks (and cut anywhere)
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, title
        zoom = ws.page_setup.scale / 100
        edges = [2, *breaks, ws.max_column]
        for first, last in zip(edges, edges[1:], strict=False):
            columns = [1, 2, *range(first + 1, last + 1)]
            pixels = sum(_width(ws, c) for c in columns) * PIXELS_PER_CHARACTER * zoom
            assert pixels <= PRINTABLE_WIDTH, (title, first, last, pixels)
    assert [b.id for b in workbook[PL1].col_breaks.brk] == [17, 32, 47]  # three indicators a page


def test_sheets_without_a_manual_break_are_fitted_to_the_page_width(workbook):
    for ws in workbook:
        if ws.col_breaks.brk or ws.row_breaks.brk:
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.fitToWidth) == 1, ws.title


def test_a_second_table_that_does_not_fit_starts_a_page_under_its_own_caption(workbook):
    for title in (PL4, "PL5 Bảo vệ trẻ em, TNTT"):
        ws = workbook[title]
        caption = next(
            c.row
            for row in ws.iter_rows(min_row=11)
            for c in row
            if str(c.value or "").startswith(("Theo 14", "Vụ"))
        )
        assert [b.id for b in ws.row_breaks.brk] == [caption - 1], title
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, title  # else the break would be ignored
        assert ws.page_setup.scale and ws.print_title_rows is None, title


def test_the_signatures_come_after_the_last_row_on_one_page_with_rows_of_the_table(workbook):
    for ws in workbook:
        last_row = _printed(ws)[1]  # an empty row below the signatures, printed: room to sign
        assert last_row == ws.max_row + 1 and ws.row_dimensions[last_row].height >= 40, ws.title
        heights = {r: ws.row_dimensions[r].height for r in range(1, last_row + 1)}
        assert None not in heights.values(), ws.title  # every row laid out: the pages are known
        signature = _signature_row(ws)
        boxed = _boxed(ws)
        assert signature > boxed[-1], ws.title
        titles = None
        if ws.print_title_rows:
            first, last = (int(x) for x in re.findall(r"\d+", ws.print_title_rows))
            titles = (first, last)
        starts = page_starts(heights, _zoom(ws), titles, {b.id for b in ws.row_breaks.brk})
        page = max(s for s in starts if s <= signature)
        assert not [s for s in starts if page < s <= last_row], ws.title  # the block is not cut
        assert [r for r in boxed if r >= page and r > (titles or (0, 0))[1]], ws.title  # not alone


def test_statuses_marks_and_the_total_row_name_stay_on_one_line(workbook):
    for ws in workbook:
        rows = _boxed(ws)
        for row in ws.iter_rows(min_row=11):
            for c in row:
                if c.row not in rows or c.data_type != "s" or len(c.value) > 20:
                    continue
                # the column holds the word with the cell's margins (and indent), at the font's widths
                margins = 20 if c.alignment.indent else 8
                room = _width(ws, c.column) * PIXELS_PER_CHARACTER - margins
                last = next((m.max_row for m in ws.merged_cells.ranges if c.coordinate in m), c.row)
                height = sum(ws.row_dimensions[r].height for r in range(c.row, last + 1))
                lines = int(height // 12.5)
                assert text_pixels(c.value, 10, bool(c.font.b)) <= room * lines, (
                    ws.title,
                    c.coordinate,
                    c.value,
                )
                if c.value in ("Cần kiểm tra", "Không có chỉ tiêu", "Chưa có số liệu", "Toàn quận Hà Đông"):
                    assert text_pixels(c.value, 10, bool(c.font.b)) <= room, (ws.title, c.coordinate, c.value)


def test_every_mark_in_a_figure_column_is_padded_like_the_figures(workbook):
    figures = {NUMBER_FORMATS[f] for f in ("count", "percent", "decimal")}
    marks = 0
    for ws in workbook:
        for row in ws.iter_rows(min_row=11):
            for c in row:
                if c.alignment.horizontal == "right" and c.border.left.style == "thin":
                    assert not c.alignment.indent, (ws.title, c.coordinate)  # padded by the format instead
                    if isinstance(c.value, str):
                        marks += 1
                        assert c.number_format in figures, (ws.title, c.coordinate, c.value)
    assert marks > 10  # "Cần kiểm tra", "–" and "<5"/"x" are there to check


def test_no_internal_name_is_printed(workbook):
    codes = {ind["indicator_code"] for ind in CATALOGUE}
    for ws in workbook:
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [t for t in texts if t in codes or re.search(r"\b[a-z]+_[a-z_]+\b", t)], ws.title
        assert ws.oddFooter.right.text == ws.title  # short: never runs into "Trang N/M"
    assert "Mã" not in [c.value for row in workbook["Ghi chú"].iter_rows(max_row=10) for c in row]


def _pdf_pages(pdf) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_libreoffice_prints_each_annex_as_laid_out(path, tmp_path):
    pages = _pdf_pages(convert(path, "pdf", tmp_path))
    by_sheet: dict[str, list[str]] = {}
    for page in pages:
        footer = page.strip().splitlines()[-1]  # "Trang N/M" and the sheet's name
        sheet = next(
            (t for t in (PL6B, PL1, PL2, PL4, "PL3", "PL5", "PL6 Gửi", "Ghi chú") if t in footer), None
        )
        assert sheet, footer
        by_sheet.setdefault(sheet, []).append(page)
    assert len(by_sheet[PL1]) == 4 and len(by_sheet[PL2]) == 2, {k: len(v) for k, v in by_sheet.items()}
    assert len(by_sheet[PL4]) == 2  # the groups on a page of their own
    for n, page in enumerate(by_sheet[PL1]):  # each page: the ward names, and its three indicators whole
        assert "Phường" in page and "Mộ Lao" in page and "Biên Giang" in page, n
        for k in range(3 * n + 1, 3 * n + 4):
            assert f"{k}. {NAMES[k - 1][:20]}" in page, (n, k)
    doses, rates = by_sheet[PL2]
    assert "Rubella" in doses and "Bỏ cuộc DPT1" not in doses  # the break falls between the two groups
    assert "Bỏ cuộc DPT1" in rates and "Mộ Lao" in rates and "Rubella" not in rates
    for sheet, printed in by_sheet.items():
        first = " ".join(printed[0].split())  # the heading's lines, wherever they wrap
        assert "Số liệu tính đến: 03/11/2025 08:45." in first, sheet
        signed = [p for p in printed if "NGƯỜI LẬP BIỂU" in p]
        assert len(signed) == 1, sheet
        assert "(Ký, ghi rõ họ tên)" in signed[0] and "(Ký, ghi rõ họ tên, đóng dấu)" in signed[0], sheet
        for page in printed:
            assert "###" not in page and "None" not in page, sheet
    text = "\n".join(pages)

    def cells(word: str) -> int:  # the word as a whole cell of a table (not inside a note)
        return len(re.findall(rf"(?<!\S){word}(?=\s{{2,}}|\s*$)", text, re.MULTILINE))

    # statuses on one line: as many whole ones on paper as in the workbook (15 wards and the total;
    # four wards with a negative dropout, in PL1 and PL2)
    assert cells("Không có chỉ tiêu") == 16 and cells("Cần kiểm tra") == 2 * 4
    assert re.search(r"\b\d\.\d{3}\b", text) and re.search(r"\b\d{1,3},\d%", text)  # 1.234 and 90,6%
