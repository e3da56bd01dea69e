"""Generic extract writer: title block, one- or two-row header, STT, data, blank rows, total row;
to .xlsx, .xls (xlwt) or .csv. Sources differ only by their specs (sources.py) and rows."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import xlwt
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from .names import strip_diacritics

Cell = str | int | float | date | None
FIXED_STAMP = datetime(2025, 1, 1, 8, 0, 0)  # the workbook's created/modified properties
XLS_MAX_ROWS = 65_000
_MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass(frozen=True)
class Column:
    """One column of a source. Labels per header style: A (Vietnamese, one row), B (two rows: ``group``
    above ``b``; no group = merged vertically), C (upper case without diacritics)."""

    key: str
    a: str
    b: str | None = None
    group: str | None = None
    c: str | None = None
    kind: str = "text"  # text | date | int

    def label(self, style: str) -> str:
        if style == "B":
            return self.b or self.a
        if style == "C":
            return self.c or strip_diacritics(self.a).upper()
        return self.a


@dataclass(frozen=True)
class Layout:
    style: str = "A"  # header style A | B | C
    fmt: str = "xlsx"  # xlsx | xls | csv
    date_format: str | None = None  # None = Excel date cells; "dd/mm/yyyy", "d/m/yyyy", "yyyy-mm-dd"
    total_at: str = "stt"  # key of the column that holds "Tổng cộng"
    title: bool = True
    total: bool = True
    encoding: str = "utf-8"  # csv only: utf-8 | utf-8-sig | cp1258


@dataclass
class Extract:
    source: str
    file_name: str
    ward_code: str | None
    period: str
    sheet: str
    title: list[list[Any]]
    columns: list[Column]
    layout: Layout
    rows: list[dict[str, Any]]
    submitted: datetime
    drop_key: str
    bad: list[str | None] = field(default_factory=list)  # per row: messy kind or None
    fault: str | None = None  # missing_column | unreadable

    @property
    def stem(self) -> str:
        return self.file_name.rsplit(".", 1)[0]


def format_date(value: date, pattern: str | None) -> date | str:
    if pattern is None:
        return value
    if pattern == "d/m/yyyy":
        return f"{value.day}/{value.month}/{value.year}"
    if pattern == "yyyy-mm-dd":
        return value.isoformat()
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def _header(columns: list[Column], style: str) -> tuple[list[list[Cell]], list[tuple[int, int, int, int]]]:
    """Header rows (with STT first) and merges relative to the first header row."""
    labels = ["STT"] + [c.label(style) for c in columns]
    if style != "B":
        return [labels], []
    groups = [None] + [c.group for c in columns]
    top: list[Cell] = []
    bottom: list[Cell] = []
    merges: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(labels):
        if groups[i] is None:
            top.append(labels[i])
            bottom.append(None)
            merges.append((0, i, 1, i))
            i += 1
            continue
        j = i
        while j + 1 < len(labels) and groups[j + 1] == groups[i]:
            j += 1
        top.extend([groups[i]] + [None] * (j - i))
        bottom.extend(labels[i : j + 1])
        if j > i:
            merges.append((0, i, 0, j))
        i = j + 1
    return [top, bottom], merges


def build_grid(ex: Extract, rng: random.Random) -> tuple[list[list[Cell]], list[tuple[int, int, int, int]]]:
    """The sheet as rows of cells, and its merged ranges (zero-based, inclusive)."""
    lay = ex.layout
    columns = [c for c in ex.columns if not (ex.fault == "missing_column" and c.key == ex.drop_key)]
    grid: list[list[Cell]] = []
    if lay.title:
        grid.extend(list(r) for r in ex.title)
        grid.append([])
    header, merges = _header(columns, lay.style)
    offset = len(grid)
    merges = [(r1 + offset, c1, r2 + offset, c2) for r1, c1, r2, c2 in merges]
    grid.extend(header)

    blanks = set()
    if lay.total and ex.rows:
        blanks = {rng.randrange(1, len(ex.rows) + 1) for _ in range(rng.randint(0, 2))}
    for n, row in enumerate(ex.rows, 1):
        if n in blanks:
            grid.append([])
        cells: list[Cell] = [n]
        for col in columns:
            value = row.get(col.key)
            if isinstance(value, date):
                value = format_date(value, lay.date_format)
            cells.append(value)
        grid.append(cells)
    if lay.total:
        keys = ["stt"] + [c.key for c in columns]
        at = keys.index(lay.total_at) if lay.total_at in keys else 0
        total: list[Cell] = [None] * (at + 2)
        total[at], total[at + 1] = "Tổng cộng", len(ex.rows)
        grid.append([])
        grid.append(total)
        if lay.title:  # the signatures under the table, as on paper
            right = max(len(keys) - 3, 2)
            grid.append([])
            grid.append([None, "Người lập biểu", *[None] * (right - 2), "Thủ trưởng đơn vị"])
            grid.append([None, "(Ký, ghi rõ họ tên)", *[None] * (right - 2), "(Ký tên, đóng dấu)"])
            grid.append([])
            grid.append([None, "Nguyễn Thị Hằng", *[None] * (right - 2), "Lê Văn Bình"])
    return grid, merges


def _write_xls(
    path: Path, sheet: str, grid: list[list[Cell]], merges: list[tuple[int, int, int, int]]
) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    for r1, c1, r2, c2 in merges:
        ws.merge(r1, r2, c1, c2)
    book.save(str(path))


def _write_xlsx(
    path: Path, sheet: str, grid: list[list[Cell]], merges: list[tuple[int, int, int, int]]
) -> None:
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = FIXED_STAMP
    ws = book.create_sheet(sheet)
    for row in grid:
        ws.append(row)
    for r1, c1, r2, c2 in merges:
        first, last = f"{get_column_letter(c1 + 1)}{r1 + 1}", f"{get_column_letter(c2 + 1)}{r2 + 1}"
        ws.merged_cells.add(CellRange(f"{first}:{last}"))
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))


def _fixed_zip_times(package: bytes) -> bytes:
    """The same package dated FIXED_STAMP throughout (openpyxl stamps the save time into the zip entries
    and docProps/core.xml), so equal content gives equal bytes and an equal content hash."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rf"\g<1>{FIXED_STAMP:%Y-%m-%dT%H:%M:%SZ}\g<2>", data.decode()).encode()
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def _write_csv(path: Path, grid: list[list[Cell]], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in grid:
        writer.writerow(["" if v is None else v for v in row])
    text = buffer.getvalue()
    if encoding == "cp1258":
        from .names import to_cp1258_form

        text = to_cp1258_form(text)
    path.write_bytes(text.encode(encoding))


@dataclass(frozen=True)
class FileJob:
    """Everything needed to write one file, so files can be written in worker processes."""

    path: Path
    fmt: str
    sheet: str
    grid: list[list[Cell]]
    merges: list[tuple[int, int, int, int]]
    encoding: str
    garbage: bytes | None  # the content of an unreadable file
    stamp: float  # modification time: the simulated submission time


def prepare_extract(ex: Extract, folder: Path, rng: random.Random) -> FileJob:
    """Lay out the file (all random choices happen here, in order, for determinism)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = ex.submitted.timestamp()
    if ex.fault == "unreadable":
        garbage = rng.randbytes(rng.randint(2_000, 20_000))
        return FileJob(folder / ex.file_name, "raw", ex.sheet, [], [], "", garbage, stamp)
    grid, merges = build_grid(ex, rng)
    lay = ex.layout
    return FileJob(folder / ex.file_name, lay.fmt, ex.sheet, grid, merges, lay.encoding, None, stamp)


def write_file(job: FileJob) -> Path:
    if job.garbage is not None:
        job.path.write_bytes(job.garbage)
    elif job.fmt == "xls":
        _write_xls(job.path, job.sheet, job.grid, job.merges)
    elif job.fmt == "csv":
        _write_csv(job.path, job.grid, job.encoding)
    else:
        _write_xlsx(job.path, job.sheet, job.grid, job.merges)
    os.utime(job.path, (job.stamp, job.stamp))
    return job.path
