"""Turn a dropped file (xlsx, xls, ods, csv) into sheets of cell values, nothing more."""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingestion.formats import CSV_SUFFIXES, SPREADSHEET_SUFFIXES
from ingestion.safety import UnsafeFile, check_sheet_size

log = logging.getLogger(__name__)


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet or text table; the message is in Vietnamese."""


HEAD_ROWS = 42  # the rows kept at hand: any title block and the header are in them


@dataclass(frozen=True)
class Sheet:
    """A sheet's first rows, at hand, and the rest, read as they are consumed (once): a city-size
    CSV is never held whole. Cells hold cached values; row i of ``rows()`` is spreadsheet row i + 1."""

    name: str
    head: list[list[object]]
    rest: Iterator[list[object]]
    visible: bool = True
    more: bool = False  # rows follow the head

    def rows(self) -> Iterator[list[object]]:
        return itertools.chain(self.head, self.rest)


def _sheet(name: str, rows: Iterator[list[object]], visible: bool = True) -> Sheet:
    rows = iter(rows)
    head = list(itertools.islice(rows, HEAD_ROWS))
    following = next(rows, None)
    rest = rows if following is None else itertools.chain([following], rows)
    return Sheet(name, head, rest, visible, following is not None)


def _handed_out(rows: list[list[object]]) -> Iterator[list[object]]:
    """The rows of a loaded sheet, each released once handed out."""
    for index in range(len(rows)):
        row, rows[index] = rows[index], None
        yield row


def read_sheets(path: Path, name: str | None = None) -> list[Sheet]:
    """The sheets of ``path``; a CSV's one sheet is named after ``name``, the name the file was sent under
    (``path`` may be a private copy under another name)."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_workbook(path)
    if suffix in CSV_SUFFIXES:
        return [_sheet(Path(name or path.name).stem, _read_csv(path))]
    raise UnreadableFile(
        f"Định dạng tệp '{suffix or '(không có đuôi)'}' không được hỗ trợ; "
        f"hãy gửi tệp Excel (.xlsx, .xls), .ods hoặc .csv"
    )


def _open_workbook(path: Path) -> CalamineWorkbook:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # a name that is not UTF-8: calamine opens only UTF-8 paths
        with open(path, "rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    return CalamineWorkbook.from_path(str(path))


def _read_workbook(path: Path) -> list[Sheet]:
    try:
        workbook = _open_workbook(path)
        sheets = []
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart sheets and macro sheets hold no table
            sheet = workbook.get_sheet_by_name(meta.name)
            check_sheet_size(sheet.height * sheet.width)  # before Python holds a value per cell
            rows = sheet.to_python(skip_empty_area=False)
            sheets.append(_sheet(meta.name, _handed_out(rows), meta.visible == SheetVisibleEnum.Visible))
        workbook.close()
    except UnsafeFile as error:
        raise UnreadableFile(str(error)) from error
    except Exception as error:  # calamine raises several error types for damaged files
        log.warning("cannot open %s as a workbook: %r", path, error)
        raise UnreadableFile(
            f"Không mở được tệp bảng tính (lỗi {type(error).__name__}): tệp có thể bị hỏng hoặc không phải "
            "tệp Excel; hãy mở bằng Excel, lưu lại dạng .xlsx và gửi lại"
        ) from error
    return sheets


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else Windows-1258. The file is read in blocks
    and nothing is kept: a city-size extract is not held in memory as bytes and again as text."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1258"
    return "utf-8"


def _read_csv(path: Path) -> Iterator[list[object]]:
    """The CSV's rows as they are read; the file is checked (encoding, binary content, dialect) first."""
    encoding = csv_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        try:
            sample = handle.read(20000)
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"Không đọc được nội dung văn bản của tệp CSV ({error})") from error
    if "\x00" in sample:
        raise UnreadableFile("Tệp CSV chứa dữ liệu nhị phân; hãy xuất lại từ phần mềm dạng CSV")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _csv_rows(path, encoding, dialect)


def _csv_rows(path: Path, encoding: str, dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[list[object]]:
    try:
        with open(path, encoding=encoding, newline="") as handle:
            yield from csv.reader(handle, dialect)
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"Không đọc được nội dung văn bản của tệp CSV ({error})") from error
    except csv.Error as error:
        raise UnreadableFile(f"Tệp CSV sai định dạng ({error}); hãy xuất lại từ phần mềm dạng CSV") from error
