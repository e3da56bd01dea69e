"""Turn a dropped file (xlsx, xls, ods, csv) into sheets of cell values, nothing more."""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingestion.formats import CSV_SUFFIXES, SPREADSHEET_SUFFIXES
from ingestion.safety import UnsafeFile, check_sheet_size

log = logging.getLogger(__name__)


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet or text table; the message is in Vietnamese."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]  # rows[i] is spreadsheet row i + 1; cells hold cached values
    visible: bool = True


def read_sheets(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_workbook(path)
    if suffix in CSV_SUFFIXES:
        return [Sheet(path.stem, _read_csv(path.read_bytes()))]
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
            sheets.append(Sheet(meta.name, rows, visible=meta.visible == SheetVisibleEnum.Visible))
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


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 by BOM, else Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def _read_csv(data: bytes) -> list[list[object]]:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"Không đọc được nội dung văn bản của tệp CSV ({error})") from error
    if "\x00" in text:
        raise UnreadableFile("Tệp CSV chứa dữ liệu nhị phân; hãy xuất lại từ phần mềm dạng CSV")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise UnreadableFile(f"Tệp CSV sai định dạng ({error}); hãy xuất lại từ phần mềm dạng CSV") from error
