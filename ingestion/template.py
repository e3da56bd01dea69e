"""Blank Excel templates (.xlsx) for an office to fill in, made from a source's contract so that a
filled template always passes ``parse_file``: the title block names the office's ward and the period
in the words the parser looks for, the header row holds each column's ``label_vi``, and drop-down
lists, number formats and a Vietnamese instruction sheet keep the values in the contract's vocabulary.

Sheets: the table (the contract's first sheet name; the only sheet whose header matches the contract),
the instructions, and a hidden sheet of the longer drop-down lists (which never holds a header). The
table's sheet is protected without a password: title and header locked, the data area open."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from base.home import SEEDS_DIR
from ingestion.contract import Column, Contract
from ingestion.lookups import Lookup, load_lookups
from ingestion.parse_file import Period
from ingestion.template_request import GRAIN_VI, calendar_rule, deadline, period_line, wards_in_force
from ingestion.text import fold

GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
HEADER_ROW = 7  # 1-based: six rows of title block above it
DATA_ROWS = 500  # rows formatted and unlocked one by one (the columns' own style covers the rest)
VALIDATED_ROWS = 5000  # rows the drop-down lists and checks apply to
INLINE_LIST_MAX = 255  # Excel's limit for a list written into the validation itself
FONT = "Times New Roman"
GUIDE_WIDTHS = (6.0, 24.0, 10.0, 50.0, 62.0)  # TT, column, required, how to write it, values accepted
CHARS_PER_WIDTH = 1.3  # characters of 11 pt Times New Roman per unit of column width
WARD_PLACEHOLDER = "……………………"
TYPE_FORMATS = {"date": "dd/mm/yyyy", "integer": "0"}
TEXT_FORMAT = "@"  # IDs, codes and names stay text: a 12-digit ID never becomes 1.2E+11
TYPE_WIDTHS = {
    "date": 13,
    "integer": 10,
    "sex": 10,
    "personal_id": 16,
    "name": 26,
    "code": 18,
    "lookup": 20,
    "choice": 18,
    "boolean": 11,
    "code_list": 13,
    "text": 20,
}

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FILL_IN = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_RED = "C00000"


def _font(bold: bool = False, italic: bool = False, size: int = 12, color: str | None = None) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size, color=color)


# --- what each column accepts ------------------------------------------------------------------------


def _shown(spelling: str) -> str:
    return spelling[:1].upper() + spelling[1:]


def dropdown_values(column: Column, period: Period) -> list[str]:
    """The values offered in the column's drop-down (empty: none). Each is accepted by the parser."""
    if column.type == "sex":
        return ["Nam", "Nữ"]
    if column.type in ("choice", "boolean"):
        return list(dict.fromkeys(_shown(spellings[0]) for _, spellings in column.choices))
    if column.type == "code_list":
        return list(column.codes)
    if column.type == "lookup" and column.lookup == "ward":
        return [name for _, name in wards_in_force(period)]
    if column.type == "lookup":
        lookup = load_lookups()[column.lookup]
        return _lookup_values(lookup)
    if column.type == "integer" and column.allowed:
        return [str(a) for a in column.allowed]
    return []


def _lookup_values(lookup: Lookup) -> list[str]:
    """The lookup's display names (each resolving to its own code), else its codes, else its keys."""
    named = [name for code, name in lookup.names.items() if lookup.resolve(name) == code]
    if named:
        return list(dict.fromkeys(named))
    codes = sorted({code for code in lookup.mapping.values() if lookup.resolve(code) == code})
    return codes or sorted(lookup.mapping)


@cache
def _hcdb_groups() -> dict[str, str]:
    path = SEEDS_DIR / "hcdb_groups.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["hcdb_group_code"]: row["name_vi"] for row in csv.DictReader(handle)}


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def column_guide(column: Column, period: Period) -> tuple[str, str]:
    """(what to write, the values accepted) for the instruction sheet."""
    kind = column.type
    values = dropdown_values(column, period)
    listed = ", ".join(values)
    if kind == "personal_id":
        return (
            "Mã số định danh cá nhân của trẻ, đủ 12 chữ số (kể cả số 0 ở đầu): 3 số mã tỉnh nơi đăng ký "
            "khai sinh, 1 số giới tính và thế kỷ sinh (sinh từ năm 2000: 2 là nam, 3 là nữ), 2 số cuối "
            "năm sinh, 6 số thứ tự. Ô đã định dạng văn bản.",
            "12 chữ số, khớp với giới tính và năm sinh; để trống nếu chưa có"
            if not column.required
            else "12 chữ số, khớp với giới tính và năm sinh",
        )
    if kind == "name":
        return "Họ và tên đầy đủ, viết có dấu.", "Chữ (có ít nhất một chữ cái)"
    if kind == "date":
        return "Ngày, gõ dạng dd/mm/yyyy (ví dụ 05/03/2025).", "Ngày dạng dd/mm/yyyy"
    if kind == "integer":
        if column.allowed:
            return "Số, chọn trong danh sách.", "Một trong: " + ", ".join(_number(a) for a in column.allowed)
        bounds = []
        if column.min is not None:
            bounds.append(f"từ {_number(column.min)}")
        if column.max is not None:
            bounds.append(f"đến {_number(column.max)}")
        return "Số nguyên (không ghi đơn vị, không ghi chữ).", ("Số nguyên " + " ".join(bounds)).strip()
    if kind == "sex":
        return "Giới tính của trẻ, chọn trong danh sách.", "Nam, Nữ"
    if kind == "lookup" and column.lookup == "ward":
        return "Tên phường, chọn trong danh sách.", listed
    if kind == "lookup":
        return (
            f"Tên {load_lookups()[column.lookup].description_vi}, chọn trong danh sách.",
            f"Theo danh mục ({len(values)} giá trị, xem danh sách thả xuống): {listed}",
        )
    if kind in ("choice", "boolean"):
        return "Chọn trong danh sách.", listed
    if kind == "code_list":
        groups = _hcdb_groups()
        meaning = (
            "; ".join(f"{c}: {groups[c]}" for c in column.codes)
            if groups and set(column.codes) <= set(groups)
            else listed
        )
        return (
            "Chữ cái của nhóm; trẻ thuộc nhiều nhóm: ghi các chữ cách nhau bằng dấu chấm phẩy (ví dụ a; d).",
            meaning,
        )
    if kind == "code":
        return "Mã, viết liền không dấu cách.", column.pattern_vi or "Chữ và số"
    return "Ghi bằng chữ.", "Tự do"


def _rules_guide(contract: Contract, period: Period) -> list[str]:
    label = {c.name: c.label_vi for c in contract.columns}
    lines = []
    for rule in contract.row_rules:
        own = label[rule.column]
        if rule.rule == "id_matches":
            sex, birth = label[rule.params["sex"]], label[rule.params["birth_date"]]
            lines.append(f"{own} phải khớp với {sex.lower()} và năm của {birth.lower()}.")
        elif rule.rule == "not_after_period_end":
            lines.append(f"{own} không được sau ngày cuối kỳ ({period.end:%d/%m/%Y}).")
        elif rule.rule == "not_older_than_years":
            lines.append(f"{own} không được trước cuối kỳ quá {rule.params['years']} năm.")
        elif rule.rule == "not_before":
            lines.append(f"{own} không được trước {label[rule.params['other']].lower()}.")
        elif rule.rule == "at_most":
            lines.append(f"{own} không được lớn hơn {label[rule.params['other']].lower()}.")
    if contract.duplicate_key:
        keys = ", ".join(label[k].lower() for k in contract.duplicate_key)
        hint = f" ({contract.duplicate_hint_vi})" if contract.duplicate_hint_vi else ""
        lines.append(f"Hai dòng giống nhau ở mọi cột {keys} là trùng lặp: dòng sau bị loại{hint}.")
    return lines


# --- the workbook ------------------------------------------------------------------------------------


def _is_health(contract: Contract) -> bool:
    sender = fold(contract.sender_vi)
    return "y te" in sender and not sender.startswith("ubnd")


@cache
def _district_name() -> str:
    with open(SEEDS_DIR / "wards.csv", encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))["district_name"]


def _offices(contract: Contract) -> tuple[str, str | None]:
    """(the office above, the sending office's line prefix) of the title block; None for a district file."""
    district = _district_name().upper()
    if contract.ward_scope == "district":
        sender = contract.sender_vi.upper()
        return (sender + f" {district}" if fold(sender).endswith("quan") else sender), None
    if _is_health(contract):
        return f"TRUNG TÂM Y TẾ QUẬN {district}", "TRẠM Y TẾ PHƯỜNG"
    return f"UBND QUẬN {district}", "UBND PHƯỜNG"


class _Lists:
    """The hidden sheet of drop-down lists, one column per list, each behind a defined name."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.sheet: Worksheet | None = None
        self.count = 0

    def formula(self, values: Sequence[str]) -> str:
        inline = ",".join(values)
        if len(inline) <= INLINE_LIST_MAX and not any("," in v or '"' in v for v in values):
            return f'"{inline}"'
        if self.sheet is None:
            self.sheet = self.workbook.create_sheet(LISTS_SHEET)
            self.sheet.sheet_state = "hidden"
        self.count += 1
        letter = get_column_letter(self.count)
        for row, value in enumerate(values, start=1):
            cell = self.sheet.cell(row, self.count, value)
            cell.number_format = TEXT_FORMAT
        name = f"ds_{self.count}"
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
        self.workbook.defined_names[name] = DefinedName(name, attr_text=ref)
        return name


def _validation(ws: Worksheet, sqref: str, **options: object) -> DataValidation:
    settings = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True, **options}
    validation = DataValidation(**settings)
    validation.add(sqref)
    ws.add_data_validation(validation)
    return validation


def _column_validation(ws: Worksheet, column: Column, letter: str, period: Period, lists: _Lists) -> None:
    sqref = f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + VALIDATED_ROWS}"
    what, accepted = column_guide(column, period)
    prompt = {
        "promptTitle": column.label_vi[:32],
        "prompt": f"{what} {'Bắt buộc.' if column.required else ''}"[:255],
    }
    error = {"errorTitle": "Giá trị không hợp lệ", "error": f"{column.label_vi}: {accepted}"[:255]}
    values = dropdown_values(column, period)
    if column.type == "code_list":  # several letters may be typed: the list only helps
        _validation(ws, sqref, type="list", formula1=lists.formula(values), showErrorMessage=False, **prompt)
    elif values:
        _validation(ws, sqref, type="list", formula1=lists.formula(values), **prompt, **error)
    elif column.type == "integer" and (column.min is not None or column.max is not None):
        low = column.min if column.min is not None else -(10**12)
        high = column.max if column.max is not None else 10**12
        _validation(
            ws,
            sqref,
            type="whole",
            operator="between",
            formula1=str(low),
            formula2=str(high),
            **prompt,
            **error,
        )
    elif column.type == "date":
        _validation(
            ws,
            sqref,
            type="date",
            operator="between",
            formula1="DATE(1900,1,1)",
            formula2="DATE(2100,12,31)",
            **prompt,
            **error,
        )
    elif column.type == "personal_id":
        _validation(ws, sqref, type="textLength", operator="equal", formula1="12", **prompt, **error)
    else:
        _validation(ws, sqref, showErrorMessage=False, **prompt)  # any value: the prompt only


def _column_width(column: Column, period: Period) -> float:
    values = dropdown_values(column, period) if column.type in ("choice", "boolean", "lookup") else []
    longest = max((len(v) for v in values), default=0)
    return float(min(max(TYPE_WIDTHS.get(column.type, 16), len(column.label_vi) + 3, longest + 3), 30))


def _title_block(
    ws: Worksheet, contract: Contract, period: Period, ward_code: str | None, width: int, lists: _Lists
) -> None:
    above, prefix = _offices(contract)
    split = max(2, width // 2)

    def merged(row: int, first: int, last: int, text: str, font: Font) -> None:
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = ws.cell(row, first, text)
        cell.font, cell.alignment = font, Alignment(horizontal="center", vertical="center")

    merged(1, 1, split, above, _font(bold=prefix is None))
    merged(1, split + 1, width, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _font(bold=True))
    merged(2, split + 1, width, "Độc lập - Tự do - Hạnh phúc", _font(bold=True))
    if prefix is not None:
        wards = load_lookups()["ward"]
        office = f"{prefix} {wards.display_name(ward_code).upper() if ward_code else WARD_PLACEHOLDER}"
        merged(2, 1, split, office, _font(bold=True))
        if ward_code is None:  # the clerk picks the office's ward: the cell is open, with its list
            cell = ws.cell(2, 1)
            cell.fill, cell.protection = _FILL_IN, _UNLOCKED
            cell.comment = Comment("Chọn phường của đơn vị trong danh sách thả xuống của ô này.", "treem")
            options = [f"{prefix} {name.upper()}" for _, name in wards_in_force(period)]
            _validation(
                ws,
                "A2",
                type="list",
                formula1=lists.formula(options),
                promptTitle="Phường",
                prompt="Chọn phường của đơn vị gửi.",
                errorTitle="Phường không hợp lệ",
                error="Chọn một phường trong danh sách.",
            )
    ws.row_dimensions[2].height = 18
    merged(4, 1, width, contract.name_vi.upper(), _font(bold=True, size=14))
    merged(5, 1, width, period_line(period), _font(bold=True, italic=True))
    note = ws.cell(
        6, 1, "Cột có tiêu đề chữ đỏ là bắt buộc. Không sửa, không xóa dòng tiêu đề cột; xem trang Hướng dẫn."
    )
    note.font = _font(italic=True, size=10, color=_RED)


def _table(ws: Worksheet, contract: Contract, period: Period, lists: _Lists) -> None:
    header = [("STT", None), *((c.label_vi, c) for c in contract.columns)]
    for index, (label, column) in enumerate(header, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(HEADER_ROW, index, label)
        required = column is not None and column.required
        cell.font = _font(bold=True, color=_RED if required else None)
        cell.fill, cell.border, cell.alignment = _HEADER_FILL, _BORDER, _CENTRE
        if column is not None:
            cell.comment = Comment(
                ("Bắt buộc nhập. " if required else "Không bắt buộc. ") + column_guide(column, period)[0],
                "treem",
            )
        number_format = TYPE_FORMATS.get(column.type, TEXT_FORMAT) if column is not None else "0"
        if column is not None and column.type == "integer" and (column.max or 0) >= 100_000:
            number_format = "#,##0"
        dimension = ws.column_dimensions[letter]
        dimension.width = _column_width(column, period) if column is not None else 6
        dimension.number_format, dimension.protection = number_format, _UNLOCKED
        for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + DATA_ROWS):
            data = ws.cell(row, index)
            data.number_format, data.protection = number_format, _UNLOCKED
            data.font = _font(size=11)
        if column is not None:
            _column_validation(ws, column, letter, period, lists)
    ws.row_dimensions[HEADER_ROW].height = 36


def _protect(ws: Worksheet) -> None:
    """Locked cells cannot be changed, open ones can; no password (Xem lại > Bỏ bảo vệ trang tính)."""
    protection = ws.protection
    protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "insertRows", "deleteRows", "sort", "autoFilter"):
        setattr(protection, allowed, False)


def _height(cells: Iterable[tuple[str, float]]) -> float:
    """A row height showing every wrapped cell whole: (text, column width) pairs, 11 pt text."""
    lines = max((math.ceil(len(text) / (width * CHARS_PER_WIDTH)) for text, width in cells), default=1)
    return 15.0 * max(lines, 1) + 2


def _guide(
    ws: Worksheet, contract: Contract, period: Period, ward_code: str | None, table_sheet: str
) -> None:
    wards = load_lookups()["ward"]
    due = deadline(contract, period)
    rule = calendar_rule(contract, period.start)
    lines: list[tuple[str, str]] = [
        ("Mẫu", f"{contract.name_vi} ({contract.source})"),
        ("Đơn vị gửi", contract.sender_vi),
        (
            "Kỳ báo cáo",
            f"{period_line(period)}: số liệu từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}",
        ),
    ]
    if due is not None:
        days = (due - period.end).days
        lines.append(("Hạn gửi", f"{due:%d/%m/%Y} ({days} ngày sau khi hết kỳ)"))
    elif rule is not None:
        months = f" (các tháng {', '.join(str(m) for m in rule.months)})" if rule.months else ""
        lines.append(
            (
                "Hạn gửi",
                f"Lịch gửi số liệu không có kỳ này: nguồn này gửi theo {GRAIN_VI[rule.grain]}{months}",
            )
        )
    if contract.ward_scope == "district":
        lines.append(("Phường", "Một tệp cho toàn quận: ghi phường ở từng dòng"))
    elif ward_code:
        lines.append(("Phường", wards.display_name(ward_code)))
    else:
        lines.append(
            ("Phường", f"Chọn phường của đơn vị ở ô A2 của trang '{table_sheet}' (ô màu vàng, có danh sách)")
        )
    for letter, width in zip("ABCDE", GUIDE_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.cell(1, 1, f"HƯỚNG DẪN NHẬP LIỆU: {contract.name_vi.upper()}").font = _font(bold=True, size=14)
    row = 3
    for key, value in lines:
        ws.cell(row, 2, key).font = _font(bold=True)
        ws.cell(row, 3, value).font = _font()
        row += 1
    row += 1
    ws.cell(row, 1, "Các cột của bảng (trang " + table_sheet + ")").font = _font(bold=True)
    row += 1
    for index, title in enumerate(("TT", "Tên cột", "Bắt buộc", "Cách ghi", "Giá trị được nhận"), start=1):
        cell = ws.cell(row, index, title)
        cell.font, cell.fill, cell.border, cell.alignment = _font(bold=True), _HEADER_FILL, _BORDER, _CENTRE
    for number, column in enumerate(contract.columns, start=1):
        row += 1
        what, accepted = column_guide(column, period)
        texts = (number, column.label_vi, "Có" if column.required else "Không", what, accepted)
        for index, text in enumerate(texts, start=1):
            cell = ws.cell(row, index, text)
            cell.font = _font(
                bold=index == 2, color=_RED if index == 2 and column.required else None, size=11
            )
            cell.border, cell.alignment = _BORDER, _WRAP
        ws.row_dimensions[row].height = _height(zip(map(str, texts), GUIDE_WIDTHS, strict=True))
    row += 2
    general = [
        *_rules_guide(contract, period),
        "Mỗi trường hợp ghi một dòng, bắt đầu ngay dưới dòng tiêu đề cột; không gộp ô, không chèn dòng cộng "
        "giữa các dòng. Cột STT có thể để trống.",
        "Ô có danh sách thả xuống: bấm vào ô rồi chọn; không gõ giá trị khác danh sách.",
        "Nếu trong kỳ không có trường hợp nào: ghi 'Tổng cộng' ở ô STT ngay dưới dòng tiêu đề cột và 0 ở "
        "ô bên cạnh.",
        "Phần tiêu đề và dòng tiêu đề cột được khóa để khỏi sửa nhầm (không có mật khẩu: Xem lại > Bỏ bảo vệ "
        "trang tính); vùng nhập liệu để mở.",
        "Gửi tệp: lưu dạng Excel (.xlsx), giữ nguyên tên trang và dòng tiêu đề cột, gửi cho bộ phận dữ liệu "
        f"của quận như mọi kỳ (thư mục nhận '{contract.source}'). Biên nhận cho biết số dòng đã nhận và từng "
        "dòng bị loại kèm lý do; sửa các dòng đó rồi gửi lại cả tệp cho cùng kỳ: tệp mới thay tệp cũ.",
    ]
    ws.cell(row, 1, "Lưu ý").font = _font(bold=True)
    for text in general:
        row += 1
        bullet = ws.cell(row, 1, "•")
        bullet.font, bullet.alignment = _font(), Alignment(horizontal="right", vertical="top")
        cell = ws.cell(row, 2, text)
        cell.font, cell.alignment = _font(size=11), _WRAP
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        ws.row_dimensions[row].height = _height([(text, sum(GUIDE_WIDTHS[1:]))])
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build_template(contract: Contract, period: Period, ward_code: str | None = None) -> Workbook:
    """The template workbook of ``contract`` for ``period`` and, for a per-ward source, ``ward_code``
    (None: the clerk picks the ward in the title block)."""
    if contract.ward_scope == "district":
        ward_code = None
    workbook = Workbook()
    ws = workbook.active
    ws.title = contract.sheets[0] if contract.sheets else "Sheet1"
    lists = _Lists(workbook)
    width = 1 + len(contract.columns)
    _title_block(ws, contract, period, ward_code, width, lists)
    _table(ws, contract, period, lists)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)
    guide = workbook.create_sheet(GUIDE_SHEET, 1)
    _guide(guide, contract, period, ward_code, ws.title)
    workbook.active = 0
    return workbook


def write_template(
    target: Path | BinaryIO, contract: Contract, period: Period, ward_code: str | None = None
) -> None:
    build_template(contract, period, ward_code).save(target)


def template_bytes(contract: Contract, period: Period, ward_code: str | None = None) -> bytes:
    buffer = BytesIO()
    write_template(buffer, contract, period, ward_code)
    return buffer.getvalue()
