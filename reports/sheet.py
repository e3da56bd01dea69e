"""The layout of one annex sheet: a Vietnamese administrative heading, tables with a two-row header
and a total row, notes, the signature block, and the print setup (A4 landscape, header rows repeated,
fitted to the page width)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from reports.cells import put, put_formula

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


@dataclass(frozen=True)
class Sum:
    """Total row: the sum of the column's rows, as a formula."""


@dataclass(frozen=True)
class Ratio:
    """Total row: the total of one column over the total of another, as a formula (blank on 0)."""

    numerator: str
    denominator: str


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    group: str = ""  # written once above consecutive columns of the same group
    fmt: str = "count"
    width: float = 10.0


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None  # values, Sum() or Ratio(); None for no total row
    caption: str = ""  # above a second table of the sheet
    empty_message: str = "Không có số liệu trong kỳ."


@dataclass
class Heading:
    issuer: tuple[str, ...]
    motto: tuple[str, str]
    place_date: str
    title: str
    subtitle: str
    period_line: str
    signers: tuple[tuple[str, ...], ...]


@dataclass
class Sheet:
    name: str
    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    page_breaks_after: list[str] = field(default_factory=list)  # column keys that end a printed page
    pages_wide: int = 1


@cache
def _font(bold: bool = False, italic: bool = False, size: int = 11, underline: str | None = None) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size, underline=underline)


def _merged(ws: Worksheet, row: int, first: int, last: int, text: str, font: Font, align=CENTRE) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = put(ws.cell(row, first), text)
    cell.font = font
    cell.alignment = align


@dataclass(frozen=True)
class Frame:
    """Where the heading, notes and signatures go: from ``origin`` (past the columns repeated on every
    printed page, so that no piece of them shows on the next pages) to ``last``, split in two blocks."""

    origin: int
    split: int
    last: int
    chars: float  # width of origin..last in characters, for row heights of wrapped lines


def _frame(widths: list[float], origin: int, page_columns: int) -> Frame:
    """The left block (issuer, first signer) takes at least 40 characters, the right one the rest of
    the first printed page and at least 44; a narrow table lends them columns to its right."""
    widths = widths + [12.0] * 12
    split, chars = origin, 0.0
    while chars + widths[split - 1] < 40 or split < origin + 1:
        chars += widths[split - 1]
        split += 1
    last, right = split, 0.0
    while last < page_columns or right < 44:
        right += widths[last]
        last += 1
    return Frame(origin, split, last, sum(widths[origin - 1 : last]))


def _lines(text: str, chars: float, size: int = 11) -> int:
    per_line = max(chars * 11 / size * 1.2, 1)  # Times New Roman fits about 1.2 characters per width unit
    return max(1, sum(-(-max(len(part), 1) // int(per_line)) for part in text.split("\n")))


def _heading(ws: Worksheet, heading: Heading, frame: Frame) -> int:
    """Rows 1-7; returns the next free row."""
    o, split, last = frame.origin, frame.split, frame.last
    for i, line in enumerate(heading.issuer):
        _merged(ws, 1 + i, o, split, line, _font(bold=i == len(heading.issuer) - 1))
    _merged(ws, 1, split + 1, last, heading.motto[0], _font(bold=True))
    _merged(ws, 2, split + 1, last, heading.motto[1], _font(bold=True, underline="single"))
    _merged(ws, 3, split + 1, last, heading.place_date, _font(italic=True))
    _merged(ws, 5, o, last, heading.title, _font(bold=True, size=13))
    _merged(ws, 6, o, last, heading.subtitle, _font(italic=True))
    _merged(ws, 7, o, last, heading.period_line, _font(italic=True, size=10))
    ws.row_dimensions[5].height = 20 * _lines(heading.title, frame.chars, 13)
    ws.row_dimensions[7].height = 14 * _lines(heading.period_line, frame.chars, 10)
    return 9


def _header_rows(ws: Worksheet, table: Table, row: int) -> int:
    """The group row and the column row; a column without a group spans both. Returns the next row."""
    columns = table.columns
    col, group_lines, header_lines = 0, 1, 3
    while col < len(columns):
        group = columns[col].group
        end = col
        while end + 1 < len(columns) and group and columns[end + 1].group == group:
            end += 1
        if group:
            _merged(ws, row, col + 1, end + 1, group, _font(bold=True, size=10))
            span = sum(c.width for c in columns[col : end + 1])
            group_lines = max(group_lines, _lines(group, span, 10))
            for c in range(col, end + 1):
                put(ws.cell(row + 1, c + 1), columns[c].header).font = _font(bold=True, size=10)
        else:
            ws.merge_cells(start_row=row, start_column=col + 1, end_row=row + 1, end_column=col + 1)
            put(ws.cell(row, col + 1), columns[col].header).font = _font(bold=True, size=10)
        for c in columns[col : end + 1]:
            header_lines = max(header_lines, _lines(c.header, c.width, 10))
        col = end + 1
    for r in (row, row + 1):
        for c in range(1, len(columns) + 1):
            cell = ws.cell(r, c)
            cell.alignment = CENTRE
            cell.border = BOX
            cell.fill = HEADER_FILL
    ws.row_dimensions[row].height = 14 * group_lines
    ws.row_dimensions[row + 1].height = 13 * header_lines
    return row + 2


def _body(ws: Worksheet, table: Table, row: int) -> tuple[int, int]:
    """Rows then the total row; returns (first body row, next free row)."""
    first = row
    if not table.rows:
        _merged(ws, row, 1, len(table.columns), table.empty_message, _font(italic=True, size=10))
        return first, row + 1
    for values in table.rows:
        lines = 1
        for c, column in enumerate(table.columns, start=1):
            value = values.get(column.key)
            _value_cell(ws.cell(row, c), value, column)
            if column.fmt == "text" and isinstance(value, str):
                lines = max(lines, _lines(value, column.width, 10))
        ws.row_dimensions[row].height = 13.5 * lines
        row += 1
    if table.total is not None:
        last = row - 1
        letters = {col.key: get_column_letter(c) for c, col in enumerate(table.columns, start=1)}
        for c, column in enumerate(table.columns, start=1):
            cell = ws.cell(row, c)
            value = table.total.get(column.key)
            if isinstance(value, Sum):
                letter = letters[column.key]
                put_formula(cell, f"SUM({letter}{first}:{letter}{last})", column.fmt)
            elif isinstance(value, Ratio):
                num, den = letters[value.numerator], letters[value.denominator]
                put_formula(cell, f'IF(N({den}{row})=0,"",{num}{row}/{den}{row})', column.fmt)
            else:
                _value_cell(cell, value, column)
            cell.font = _font(bold=True, size=10)
            cell.border = BOX
            cell.alignment = LEFT if column.fmt == "text" else RIGHT
        row += 1
    return first, row


def _value_cell(cell, value: object, column: Column) -> None:
    put(cell, value, column.fmt if not isinstance(value, str) or column.fmt == "text" else None)
    cell.font = _font(size=10)
    cell.border = BOX
    # text wraps at the left; figures, and the marks that stand for hidden ones, sit at the right
    cell.alignment = LEFT if column.fmt == "text" else RIGHT


def _signatures(ws: Worksheet, signers: tuple[tuple[str, ...], ...], row: int, frame: Frame) -> None:
    spans = [(frame.origin, frame.split), (frame.split + 1, frame.last)]
    for (first, last), lines in zip(spans, signers, strict=False):
        for i, line in enumerate(lines):
            italic = line.startswith("(")
            _merged(ws, row + i, first, last, line, _font(bold=not italic, italic=italic))


def write_sheet(ws: Worksheet, sheet: Sheet, heading: Heading) -> None:
    """Lay ``sheet`` out on ``ws``: heading, tables, notes, signatures, widths, freeze, print setup."""
    widths: dict[int, float] = {}
    for table in sheet.tables:
        for c, column in enumerate(table.columns, start=1):
            widths[c] = max(widths.get(c, 0.0), column.width)
    repeat = bool(sheet.page_breaks_after)
    frame = _frame([widths[c] for c in sorted(widths)], 3 if repeat else 1, _first_page_width(sheet))
    row = _heading(ws, heading, frame)
    header_row, body_first = row, row + 2
    for i, table in enumerate(sheet.tables):
        if i:
            row += 1
        if table.caption:
            _merged(ws, row, 1, len(table.columns), table.caption, _font(bold=True), LEFT)
            row += 1
        top = row
        row = _header_rows(ws, table, row)
        first, row = _body(ws, table, row)
        if i == 0:
            header_row, body_first = top, first
    row += 1
    for note in sheet.notes:
        _merged(ws, row, frame.origin, frame.last, note, _font(italic=True, size=9), LEFT)
        ws.row_dimensions[row].height = 12.5 * _lines(note, frame.chars, 9)
        row += 1
    _signatures(ws, heading.signers, row + 1, frame)
    for c, width_chars in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = width_chars
    ws.freeze_panes = f"C{body_first}"
    if len(sheet.tables) == 1:  # a second table has its own header: repeating the first's would mislead
        ws.print_title_rows = f"{header_row}:{header_row + 1}"
    if repeat:
        ws.print_title_cols = "A:B"
        keys = [c.key for c in sheet.tables[0].columns]
        for key in sheet.page_breaks_after:
            ws.col_breaks.append(Break(id=keys.index(key) + 1))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = sheet.pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.right.text = sheet.title[:60]


def _first_page_width(sheet: Sheet) -> int:
    """Columns on the first printed page: up to the first page break, or all."""
    if not sheet.page_breaks_after:
        return len(sheet.tables[0].columns)
    keys = [c.key for c in sheet.tables[0].columns]
    return keys.index(sheet.page_breaks_after[0]) + 1
