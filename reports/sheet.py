"""The layout of one annex sheet: a Vietnamese administrative heading, tables with a two-row header
and a total row, notes, the signature block, and the print setup: A4 landscape, fitted to the page
width (or each block of columns between deliberate column breaks fitted to a page), header rows
repeated, and the signatures after the last row of data, never alone on a page nor cut in two.

Every row gets an explicit height, worked out from the text it holds, so the printed pages can be
laid out here, the same way Excel and LibreOffice lay them out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from reports.cells import put, put_formula
from reports.metrics import text_pixels

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# table cells: text one indent in from the left border; figures sit at the right, padded by their
# number format (cells.PAD), so "100,0%" and "Chưa đạt" in adjacent cells never touch
PADDED_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)

# A4 landscape, in inches, and the margins the sheets print with
PAGE_WIDTH, PAGE_HEIGHT = 11.69, 8.27
SIDE_MARGIN, TOP_MARGIN, BOTTOM_MARGIN, FOOTER_MARGIN = 0.4, 0.5, 0.6, 0.25
PRINTABLE_WIDTH = (PAGE_WIDTH - 2 * SIDE_MARGIN) * 96  # pixels of 1/96 inch
PRINTABLE_HEIGHT = (PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN) * 72  # points
# a column width of one character, in pixels: a digit of the Normal font, Times New Roman 11
# (``use_document_font``), as LibreOffice counts it (Excel rounds it down to 7)
PIXELS_PER_CHARACTER = 7.33
LINE = 16.0  # points: a row of one line of 11-point text
GAP = 9.0  # points: an empty row between blocks
SIGNING_SPACE = 45.0  # points: an empty row below the signature lines, on their page, to sign in
SQUEEZE = 1.2  # a sheet up to this many pages tall prints on one page, a little smaller
SLACK = 1.06  # text is taken this much wider than the font's widths say (printers and LibreOffice round)


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
    fit: bool = False  # widen to hold its longest word (a status, "Cần kiểm tra") on one line


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


# The table cells' formats as named styles, registered once per workbook: a cell then takes one by
# name, instead of hashing a font, a border and an alignment into the workbook's lists for each of
# its tens of thousands of cells (most of the time a report took to write). Excel and LibreOffice
# list them under their names.
HEADER_STYLE = "Bảng – tiêu đề cột"
TABLE_STYLES = {  # (is a total row, is text) -> name
    (False, True): "Bảng – chữ",
    (False, False): "Bảng – số",
    (True, True): "Bảng – dòng tổng, chữ",
    (True, False): "Bảng – dòng tổng, số",
}


@cache
def _font(bold: bool = False, italic: bool = False, size: int = 11, underline: str | None = None) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size, underline=underline)


def use_document_font(workbook: Workbook) -> None:
    """Make the workbook's Normal font the document's (Times New Roman 11) instead of Calibri, on a new
    workbook. Column widths are counted in digits of the Normal font: LibreOffice on a computer
    without Calibri substitutes a much wider font and prints every sheet a quarter wider than Excel;
    Times New Roman has a metric twin everywhere (Liberation Serif), so the zoom computed here
    (``print_scale``) holds in both."""
    font = Font(name=FONT, size=11)
    workbook._fonts = IndexedList([font])
    normal = workbook._named_styles["Normal"]
    normal.font = font
    normal.bind(workbook)


def add_table_styles(workbook: Workbook) -> None:
    """Register the table cells' named styles in ``workbook`` (once)."""
    if HEADER_STYLE in workbook.named_styles:
        return
    workbook.add_named_style(
        NamedStyle(
            HEADER_STYLE, font=_font(bold=True, size=10), border=BOX, fill=HEADER_FILL, alignment=CENTRE
        )
    )
    for (total, text), name in TABLE_STYLES.items():
        align = PADDED_LEFT if text else RIGHT
        workbook.add_named_style(
            NamedStyle(name, font=_font(bold=total, size=10), border=BOX, alignment=align)
        )


def _merge(ws: Worksheet, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
    """Merge a range, as openpyxl's ``merge_cells`` would without its two costs: it compares the range
    with every earlier one of the sheet and writes the first cell's protection into every cell of the
    range (half a millisecond a range; a district's reports have 15,000). A sheet's ranges here never
    overlap, and the cells hidden by a range are left alone: where the grid needs their borders, they
    get them cell by cell. The range's last cell is made, so the sheet's dimension covers it."""
    first, last = get_column_letter(first_column), get_column_letter(last_column)
    ws.merged_cells.ranges.add(MergedCellRange(ws, f"{first}{first_row}:{last}{last_row}"))
    ws.cell(last_row, last_column)


def _merged(ws: Worksheet, row: int, first: int, last: int, text: str, font: Font, align=CENTRE) -> None:
    if last > first:
        _merge(ws, row, first, row, last)
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
    left_chars: float  # width of origin..split
    widths: tuple[float, ...]  # of every column from A to last


def _frame(widths: list[float], origin: int, page_columns: int, left: float = 40, right: float = 44) -> Frame:
    """The left block (issuer, first signer) takes at least ``left`` characters, the right one the rest
    of the first printed page and at least ``right``; a narrow table lends them columns to its right."""
    widths = widths + [12.0] * 12
    split, chars = origin, 0.0
    while chars + widths[split - 1] < left or split < origin + 1:
        chars += widths[split - 1]
        split += 1
    left_chars = sum(widths[origin - 1 : split])
    last, chars = split, 0.0
    while last < page_columns or chars < right:
        chars += widths[last]
        last += 1
    return Frame(origin, split, last, sum(widths[origin - 1 : last]), left_chars, tuple(widths[:last]))


def _heading_chars(lines: tuple[str, ...] | list[str]) -> float:
    """Columns' width (in characters) that holds the longest of ``lines`` of the heading (11 points,
    bold) on one line, with some to spare."""
    return max((text_pixels(line, 11, bold=True) * 1.05 + 12) / PIXELS_PER_CHARACTER for line in lines)


def _lines(text: str, chars: float, size: int = 11, bold: bool = False, indented: bool = False) -> int:
    """The lines ``text`` wraps to in a cell (or merged cells) ``chars`` wide: words wrapped one after
    the other, the cell's margins (and indent) aside; a word longer than the line is broken. Words are
    taken a little wider than the font's widths say: a row a little too tall is better than a cut
    line."""
    room = (chars * PIXELS_PER_CHARACTER - _margins(indented)) / SLACK
    space = text_pixels(" ", size, bold)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split():
            width = text_pixels(word, size, bold)
            if used and used + space + width <= room:
                used += space + width
                continue
            if used:
                lines += 1
            broken = max(0, math.ceil(width / room) - 1)
            lines += broken
            used = width - broken * room
        total += lines
    return max(1, total)


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
    left, right = frame.left_chars, frame.chars - frame.left_chars
    for r in (1, 2, 3):
        texts = [(heading.issuer[r - 1], left)] if r <= len(heading.issuer) else []
        texts += [([*heading.motto, heading.place_date][r - 1], right)]
        ws.row_dimensions[r].height = LINE * max(_lines(t, chars, 11, bold=True) for t, chars in texts)
    ws.row_dimensions[4].height = ws.row_dimensions[8].height = GAP
    ws.row_dimensions[5].height = 20 * _lines(heading.title, frame.chars, 13, bold=True)
    ws.row_dimensions[6].height = LINE * _lines(heading.subtitle, frame.chars, 11)
    ws.row_dimensions[7].height = 14 * _lines(heading.period_line, frame.chars, 10)
    return 9


def _header_rows(ws: Worksheet, table: Table, row: int, widths: dict[int, float]) -> int:
    """The group row and the column row; a column without a group spans both. Returns the next row."""
    columns = table.columns
    col, group_lines, header_lines = 0, 1, 3
    texts: dict[tuple[int, int], str] = {}
    while col < len(columns):
        group = columns[col].group
        end = col
        while end + 1 < len(columns) and group and columns[end + 1].group == group:
            end += 1
        if group:
            if end > col:
                _merge(ws, row, col + 1, row, end + 1)
            texts[row, col + 1] = group
            span = sum(widths[c] for c in range(col + 1, end + 2))
            group_lines = max(group_lines, _lines(group, span, 10, bold=True))
            for c in range(col, end + 1):
                texts[row + 1, c + 1] = columns[c].header
        else:
            _merge(ws, row, col + 1, row + 1, col + 1)
            texts[row, col + 1] = columns[col].header
        for c in range(col, end + 1):
            header_lines = max(header_lines, _lines(columns[c].header, widths[c + 1], 10, bold=True))
        col = end + 1
    for r in (row, row + 1):  # every cell, those the merges hide too: their borders draw the grid
        for c in range(1, len(columns) + 1):
            ws.cell(r, c).style = HEADER_STYLE
    for (r, c), text in texts.items():
        put(ws.cell(r, c), text)
    ws.row_dimensions[row].height = 14 * group_lines
    ws.row_dimensions[row + 1].height = 13 * header_lines
    return row + 2


def _body(ws: Worksheet, table: Table, row: int, widths: dict[int, float]) -> tuple[int, int]:
    """Rows then the total row; returns (first body row, next free row). ``widths``: the sheet's column
    widths (a column can be wider than the table's own, for another table of the sheet)."""
    first = row
    if not table.rows:
        _merged(ws, row, 1, len(table.columns), table.empty_message, _font(italic=True, size=10))
        return first, row + 1
    for values in table.rows:
        lines = 1
        for c, column in enumerate(table.columns, start=1):
            value = values.get(column.key)
            _value_cell(ws.cell(row, c), value, column)
            if isinstance(value, str):  # text, or a word in a figure's column ("Cần kiểm tra")
                lines = max(lines, _lines(value, widths[c], 10, indented=column.fmt == "text"))
        ws.row_dimensions[row].height = 13.5 * lines
        row += 1
    if table.total is not None:
        last = row - 1
        letters = {col.key: get_column_letter(c) for c, col in enumerate(table.columns, start=1)}
        lines = 1
        for c, column in enumerate(table.columns, start=1):
            cell = ws.cell(row, c)
            cell.style = TABLE_STYLES[True, column.fmt == "text"]
            value = table.total.get(column.key)
            if isinstance(value, Sum):
                letter = letters[column.key]
                put_formula(cell, f"SUM({letter}{first}:{letter}{last})", column.fmt)
            elif isinstance(value, Ratio):
                num, den = letters[value.numerator], letters[value.denominator]
                put_formula(cell, f'IF(N({den}{row})=0,"",{num}{row}/{den}{row})', column.fmt)
            else:
                put(cell, value, column.fmt)
                if isinstance(value, str):  # "Toàn quận …", a status: the row is as tall as they need
                    lines = max(lines, _lines(value, widths[c], 10, bold=True, indented=column.fmt == "text"))
        ws.row_dimensions[row].height = 13.5 * lines
        row += 1
    return first, row


def _value_cell(cell, value: object, column: Column) -> None:
    # text wraps at the left; figures, and the marks that stand for hidden ones, sit at the right
    cell.style = TABLE_STYLES[False, column.fmt == "text"]
    # a word or mark in a figure's column keeps the column's format: its text section pads it the same
    put(cell, value, column.fmt)


def _margins(indented: bool) -> float:
    """Pixels of a cell's width that its text cannot use: the indent of text cells and the margins
    (a figure's padding and margins)."""
    return 20 if indented else 8


def one_line_width(text: str, bold: bool = False, indented: bool = True) -> float:
    """The column width (in characters of the Normal font) that holds ``text`` at 10 points on one line:
    its letters, and the indent of text cells and the cell's margins, about 20 pixels (a figure's
    padding and margins, 8)."""
    pixels = text_pixels(text, 10, bold) * SLACK + _margins(indented)
    return math.ceil(pixels / PIXELS_PER_CHARACTER * 10) / 10


def _fitted_widths(sheet: Sheet) -> dict[int, float]:
    """Each column's width: the widest of the sheet's tables, and for a ``fit`` column its longest
    word on one line (the total row's is bold)."""
    widths: dict[int, float] = {}
    for table in sheet.tables:
        for c, column in enumerate(table.columns, start=1):
            width = column.width
            if column.fit:
                words = [(row.get(column.key), False) for row in table.rows]
                words += [((table.total or {}).get(column.key), True)]
                indented = column.fmt == "text"
                width = max(
                    [width, *(one_line_width(w, bold, indented) for w, bold in words if isinstance(w, str))]
                )
            widths[c] = max(widths.get(c, 0.0), width)
    return widths


def _signatures(ws: Worksheet, signers: tuple[tuple[str, ...], ...], row: int, frame: Frame) -> int:
    """The signers side by side from ``row``; returns the last row."""
    spans = [(frame.origin, frame.split), (frame.split + 1, frame.last)]
    for (first, last), lines in zip(spans, signers, strict=False):
        for i, line in enumerate(lines):
            italic = line.startswith("(")
            _merged(ws, row + i, first, last, line, _font(bold=not italic, italic=italic))
    for i in range(max(len(lines) for lines in signers)):
        ws.row_dimensions[row + i].height = LINE
    return row + max(len(lines) for lines in signers) - 1


@dataclass
class Layout:
    """Where things went on a sheet: for the print setup."""

    table_tops: list[int]  # the first row of each table (its caption, or its header)
    header: tuple[int, int]  # the first table's header rows
    last_body: tuple[int, int]  # the first and last row of the last table's rows (with its total)
    tail: int  # the first row of the notes and signatures
    last: int  # the last row of the signatures


def write_sheet(ws: Worksheet, sheet: Sheet, heading: Heading) -> None:
    """Lay ``sheet`` out on ``ws``: heading, tables, notes, signatures, widths, freeze, print setup."""
    add_table_styles(ws.parent)
    widths = _fitted_widths(sheet)
    repeat = bool(sheet.page_breaks_after)
    frame = _frame(
        [widths[c] for c in sorted(widths)],
        3 if repeat else 1,
        _first_page_width(sheet),
        max(40, _heading_chars(heading.issuer)),
        max(44, _heading_chars([*heading.motto, heading.place_date])),
    )
    row = _heading(ws, heading, frame)
    header_row, body_first, table_tops = row, row + 2, []
    for i, table in enumerate(sheet.tables):
        if i:
            ws.row_dimensions[row].height = LINE
            row += 1
        table_tops.append(row)
        if table.caption:  # across the sheet's width, not just a narrow table's
            _merged(ws, row, 1, len(widths), table.caption, _font(bold=True), LEFT)
            span = sum(widths.values())
            ws.row_dimensions[row].height = LINE * _lines(table.caption, span, 11, bold=True)
            row += 1
        top = row
        row = _header_rows(ws, table, row, widths)
        first, row = _body(ws, table, row, widths)
        if i == 0:
            header_row, body_first = top, first
    last_body = (first, row - 1)
    ws.row_dimensions[row].height = GAP
    row += 1
    tail = row
    for note in sheet.notes:
        _merged(ws, row, frame.origin, frame.last, note, _font(italic=True, size=9), LEFT)
        ws.row_dimensions[row].height = 12.5 * _lines(note, frame.chars, 9)
        row += 1
    ws.row_dimensions[row].height = GAP
    # the signatures close the sheet: below the last row of every table and of the notes
    last = _signatures(ws, heading.signers, row + 1, frame) + 1
    ws.row_dimensions[last].height = SIGNING_SPACE  # printed (the print area ends below it): room to sign
    # the tables' columns, and any past them that the heading borrows (at the width it counted on)
    widths = {c: widths.get(c) or frame.widths[c - 1] for c in range(1, max(len(widths), frame.last) + 1)}
    for c, width_chars in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = width_chars
    ws.print_area = f"A1:{get_column_letter(len(widths))}{last}"
    ws.freeze_panes = f"C{body_first}"
    if len(sheet.tables) == 1:  # a second table has its own header: repeating the first's would mislead
        ws.print_title_rows = f"{header_row}:{header_row + 1}"
    if repeat:
        ws.print_title_cols = "A:B"
        keys = [c.key for c in sheet.tables[0].columns]
        for key in sheet.page_breaks_after:
            ws.col_breaks.append(Break(id=keys.index(key) + 1))
    _print_setup(ws, sheet, widths, Layout(table_tops, (header_row, header_row + 1), last_body, tail, last))


def _pixels(width_chars: float) -> float:
    """A column's width on paper at 100%, in pixels of 1/96 inch."""
    return width_chars * PIXELS_PER_CHARACTER


def page_blocks(sheet: Sheet, count: int) -> list[list[int]]:
    """The columns (1-based, of ``count`` printed) on each page across: all of them, or, with
    deliberate column breaks, the repeated STT and name columns and the columns up to each break."""
    if not sheet.page_breaks_after:
        return [list(range(1, count + 1))]
    keys = [c.key for c in sheet.tables[0].columns]
    ends = [keys.index(key) + 1 for key in sheet.page_breaks_after] + [count]
    starts = [3] + [end + 1 for end in ends[:-1]]
    return [[1, 2, *range(start, end + 1)] for start, end in zip(starts, ends, strict=True)]


def print_scale(sheet: Sheet, widths: dict[int, float]) -> int:
    """The zoom (percent) at which the widest block of columns fits the page width, with 2% to spare
    for the printer's rounding; at most 100."""
    widest = max(sum(_pixels(widths[c]) for c in block) for block in page_blocks(sheet, len(widths)))
    return max(10, min(100, int(100 * 0.98 * PRINTABLE_WIDTH / widest)))


def page_starts(
    heights: dict[int, float], zoom: float, titles: tuple[int, int] | None, breaks: set[int]
) -> list[int]:
    """The first row of each printed page, as Excel and LibreOffice lay them out: rows of ``heights``
    (points) at ``zoom`` (a fraction) fill a page, a row is never cut, ``titles`` (first, last row)
    repeat at the top of every page after them, and a page ends after each row of ``breaks``."""
    capacity = PRINTABLE_HEIGHT / zoom
    title_height = sum(heights[r] for r in range(titles[0], titles[1] + 1)) if titles else 0.0
    starts, used = [1], 0.0
    for r in sorted(heights):
        if r > 1 and (r - 1 in breaks or used + heights[r] > capacity):
            starts.append(r)
            used = title_height if titles and r > titles[1] else 0.0
        used += heights[r]
    return starts


def _print_setup(ws: Worksheet, sheet: Sheet, widths: dict[int, float], layout: Layout) -> None:
    """A4 landscape, fitted to the page width, any number of pages down; a sheet a little taller than
    a page fits on one. The signatures (with the notes) and at least a few rows of data share their
    page, with room below to sign: where they would not, the last rows start a new page with them.
    A second table that does not fit on the first page starts the second.

    A sheet with a manual page break (deliberate column breaks, or a row break above) gets a fixed
    zoom instead of "fit to pages": Excel and LibreOffice ignore manual breaks on a sheet fitted to
    a number of pages, and would cut its columns anywhere, through the heading and notes too."""
    zoom = print_scale(sheet, widths) / 100
    heights = {r: ws.row_dimensions[r].height or LINE for r in range(1, layout.last + 1)}
    total = sum(heights.values())
    one_page = total * zoom <= PRINTABLE_HEIGHT * SQUEEZE
    breaks: set[int] = set()
    if one_page:
        zoom = min(zoom, PRINTABLE_HEIGHT / total)
    else:
        titles = layout.header if ws.print_title_rows else None
        if len(layout.table_tops) > 1:
            breaks.add(layout.table_tops[1] - 1)
        starts = page_starts(heights, zoom, titles, breaks)
        page = max(s for s in starts if s <= layout.tail)
        if page == layout.tail or [s for s in starts if s > layout.tail]:
            # the last rows of data go over with the notes and signatures (at most a page of them)
            first, last = layout.last_body
            breaks.add(max(first, last - 2) - 1)
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = ws.PAPERSIZE_A4
    if sheet.page_breaks_after or breaks:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        setup.scale = max(10, int(zoom * 100))
        for r in sorted(breaks):
            ws.row_breaks.append(Break(id=r))
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        setup.fitToWidth = 1
        setup.fitToHeight = 1 if one_page else 0
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top, ws.page_margins.bottom = TOP_MARGIN, BOTTOM_MARGIN
    ws.page_margins.header = ws.page_margins.footer = FOOTER_MARGIN
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.right.text = sheet.name  # short: the title is on the first page, and would run into "Trang"


def _first_page_width(sheet: Sheet) -> int:
    """Columns on the first printed page: up to the first page break, or all."""
    if not sheet.page_breaks_after:
        return len(sheet.tables[0].columns)
    keys = [c.key for c in sheet.tables[0].columns]
    return keys.index(sheet.page_breaks_after[0]) + 1
