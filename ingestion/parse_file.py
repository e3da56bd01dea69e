"""One file against its contract: header, period, ward, typed rows, rejects. No database here."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingestion import values
from ingestion.contract import Column, Contract
from ingestion.header import HeaderMatch, find_header
from ingestion.lookups import Lookup, load_lookups
from ingestion.reader import read_sheets
from ingestion.text import fold

TOTAL_ROW_PREFIXES = ("tong cong", "tong so")
TOTAL_ROW_CELLS = 3  # 'Tổng cộng' stands in the STT or name column, with a count or two beside it
NOTE_ROW_MAX_CELLS = 2  # a row filling at most this many contract columns is a note or a signature
REASONS_SHOWN = 10
SEX_VI = {"M": "Nam", "F": "Nữ"}
_NUMBERING = re.compile(r"^\(?([0-9]{1,2}|[A-Za-z])\)?$")
_PLACE_DATE = re.compile(r"ngay\s*\d{1,2}\s*thang")  # 'Hà Đông, ngày 05 tháng 4 năm 2025': when signed


def _is_total_row(cells: list[object]) -> bool:
    """'Tổng cộng' near the left (with totals beside it or not); a bare 'Cộng' only with little else
    in the row, since a child's given name can be Công typed without diacritics."""
    few_cells = sum(not values.is_blank(v) for v in cells) <= TOTAL_ROW_CELLS
    for value in cells[:TOTAL_ROW_CELLS]:
        if isinstance(value, str):
            key = fold(value)
            if key.startswith(TOTAL_ROW_PREFIXES) or (key == "cong" and few_cells):
                return True
    return False


class FileRejected(Exception):
    """The whole file goes to quarantine; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Period:
    key: str  # '2025-03' for a month, '2025' for a year
    start: dt.date
    end: dt.date


@dataclass
class Reject:
    row_number: int
    column: str
    value: str
    reason: str


@dataclass
class ParsedFile:
    sheet: str
    header_row: int  # 1-based spreadsheet row of the (first) header row
    period: Period
    ward_code: str | None
    rows: list[dict] = field(default_factory=list)  # good rows, each with 'source_row'
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year:04d}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last))


def _find_period(contract: Contract, title: list[str], file_name: str) -> Period:
    for pattern, texts in (
        (contract.period_title_pattern, title),
        (contract.period_filename_pattern, [file_name]),
    ):
        if pattern is None:
            continue
        for text in texts:
            if _PLACE_DATE.search(text):
                continue
            found = pattern.search(text)
            if found:
                year, month = int(found["year"]), int(found["month"])
                if 1 <= month <= 12 and 2000 <= year <= 2100:
                    return month_period(year, month)
    raise FileRejected(
        "Không xác định được kỳ báo cáo: tiêu đề bảng cần ghi 'tháng MM năm YYYY' "
        "(hoặc tên tệp chứa 'T<tháng>-<năm>')"
    )


def _find_ward(contract: Contract, title: list[str], wards: Lookup) -> str | None:
    if contract.ward_title_pattern is None:
        return None
    for text in title:
        found = contract.ward_title_pattern.search(text)
        if found:
            code = wards.resolve(found["ward"])
            if code:
                return code
    return None


def _parse_cell(column: Column, raw: object, lookups: dict[str, Lookup]) -> object:
    if column.type == "date":
        return values.parse_date(raw)
    if column.type == "integer":
        number = values.parse_integer(raw)
        if column.min is not None and number < column.min:
            raise values.BadValue(f"{column.label_vi} = {number} nhỏ hơn {column.min}")
        if column.max is not None and number > column.max:
            raise values.BadValue(f"{column.label_vi} = {number} lớn hơn {column.max}")
        return number
    if column.type == "sex":
        return values.parse_sex(raw)
    if column.type == "personal_id":
        return values.parse_personal_id(raw)
    if column.type == "name":
        return values.parse_name(raw)
    if column.type == "lookup":
        lookup = lookups[column.lookup]
        code = lookup.resolve(raw)
        if code is None:
            raise values.BadValue(f"Không nhận ra {lookup.description_vi} '{raw}'")
        return code
    return values.parse_text(raw)


def _rule_errors(contract: Contract, row: dict, period: Period) -> list[tuple[str, str]]:
    """(column name, Vietnamese reason) for every row rule the typed row breaks."""
    errors = []
    for rule in contract.row_rules:
        value = row.get(rule.column)
        if value is None:
            continue
        if rule.rule == "id_matches":
            sex, year = values.id_sex_and_year(value)
            row_sex, birth = row.get(rule.params["sex"]), row.get(rule.params["birth_date"])
            if row_sex is not None and sex != row_sex:
                errors.append(
                    (
                        rule.column,
                        f"Mã định danh ghi giới tính {SEX_VI[sex]} (chữ số thứ 4 là {value[3]}) "
                        f"nhưng cột giới tính ghi {SEX_VI[row_sex]}",
                    )
                )
            if birth is not None and year != birth.year:
                errors.append(
                    (rule.column, f"Mã định danh ghi năm sinh {year}, khác ngày sinh {birth:%d/%m/%Y}")
                )
        elif rule.rule == "not_after_period_end":
            if value > period.end:
                errors.append((rule.column, rule.params["reason_vi"]))
        elif rule.rule == "not_older_than_years":
            end = period.end
            if value < end.replace(year=end.year - int(rule.params["years"]), day=min(end.day, 28)):
                errors.append((rule.column, rule.params["reason_vi"]))
        elif rule.rule == "not_before":
            other = row.get(rule.params["other"])
            if other is not None and value < other:
                errors.append((rule.column, rule.params["reason_vi"]))
        else:
            raise ValueError(f"{contract.source}: unknown row rule {rule.rule}")
    return errors


def _shown(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else values.shown(value)


def _title_cells(rows: list[list[object]], header_row: int) -> list[str]:
    """Every non-empty cell above the header, folded; cells are kept apart (a title row often holds two)."""
    return [fold(c) for row in rows[:header_row] for c in row if not values.is_blank(c)]


def _is_column_numbering(cells: list[object]) -> bool:
    """The '(1) (2) (3) …' or 'A B 1 2 …' row that official forms put under the header."""
    filled = [str(c).strip() for c in cells if not values.is_blank(c)]
    return len(filled) >= 3 and all(_NUMBERING.match(c) for c in filled)


def _check_sheets(sheets: list, header: HeaderMatch, contract: Contract) -> None:
    """One table per file: another sheet with the same table would be silently left out."""
    others = [
        m.sheet.name
        for m in (
            find_header([sheet], contract) for sheet in sheets if sheet is not header.sheet and sheet.visible
        )
        if m is not None and not m.missing(contract) and len(m.sheet.rows) > m.data_start
    ]
    if others:
        names = ", ".join(f"'{n}'" for n in [header.sheet.name, *others])
        raise FileRejected(
            f"Tệp có nhiều trang dữ liệu cùng mẫu ({names}); mỗi tệp chỉ gửi một bảng, "
            "hãy tách thành các tệp riêng"
        )


def parse_file(path: Path, contract: Contract) -> ParsedFile:
    """Read and check one file. Raises FileRejected (or reader.UnreadableFile) for whole-file faults."""
    lookups = load_lookups()
    sheets = read_sheets(path)
    header = find_header(sheets, contract)
    if header is None:
        raise FileRejected(
            "Không tìm thấy dòng tiêu đề cột nào khớp mẫu báo cáo "
            f"'{contract.name_vi}' (cần các cột: {', '.join(c.label_vi for c in contract.required_columns)})"
        )
    missing = header.missing(contract)
    if missing:
        raise FileRejected(
            f"Thiếu cột bắt buộc: {', '.join(missing)} (bảng ở trang '{header.sheet.name}', "
            f"dòng tiêu đề {header.header_row + 1})"
        )
    _check_sheets(sheets, header, contract)
    rows = header.sheet.rows
    title = _title_cells(rows, header.header_row)
    period = _find_period(contract, title, path.name)
    parsed = ParsedFile(
        header.sheet.name, header.header_row + 1, period, _find_ward(contract, title, lookups["ward"])
    )
    _read_rows(parsed, rows, header, contract, lookups)
    _check_file(parsed, contract, lookups["ward"])
    return parsed


def _read_rows(
    parsed: ParsedFile, rows: list[list[object]], header: HeaderMatch, contract: Contract, lookups: dict
) -> None:
    seen_keys: dict[tuple, int] = {}
    footer = False
    for index in range(header.data_start, len(rows)):
        cells = rows[index]
        row_number = index + 1
        mapped = {name: (cells[i] if i < len(cells) else None) for name, i in header.columns.items()}
        parsed.rows_read += 1
        filled = sum(not values.is_blank(v) for v in mapped.values())
        if footer or _is_total_row(cells):
            footer = True  # 'Tổng cộng' ends the table: below it come the signatures
            parsed.rows_skipped += 1
            continue
        if filled <= NOTE_ROW_MAX_CELLS or (index == header.data_start and _is_column_numbering(cells)):
            parsed.rows_skipped += 1  # blank rows, notes, a signature block, the column-numbering row
            continue
        typed, errors = _typed_row(contract, mapped, lookups, parsed.period)
        if not errors and contract.duplicate_key:
            key = tuple(typed.get(k) for k in contract.duplicate_key)
            if key in seen_keys:
                errors.append((contract.duplicate_key[0], f"Dòng trùng lặp với dòng {seen_keys[key]}"))
            else:
                seen_keys[key] = row_number
        if errors:
            parsed.rows_rejected += 1
            for name, reason in errors:
                column = contract.column(name)
                parsed.rejects.append(Reject(row_number, column.label_vi, _shown(mapped.get(name)), reason))
            continue
        typed["source_row"] = row_number
        parsed.rows.append(typed)


def _typed_row(
    contract: Contract, mapped: dict[str, object], lookups: dict, period: Period
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    typed: dict[str, object] = {}
    errors: list[tuple[str, str]] = []
    for column in contract.columns:
        raw = mapped.get(column.name)
        if values.is_blank(raw):
            if column.required:
                errors.append((column.name, f"Thiếu giá trị bắt buộc ở cột {column.label_vi}"))
            typed[column.name] = None
            continue
        try:
            typed[column.name] = _parse_cell(column, raw, lookups)
        except values.BadValue as error:
            errors.append((column.name, str(error)))
            typed[column.name] = None
    if not errors:
        errors = _rule_errors(contract, typed, period)
    return typed, errors


def _check_file(parsed: ParsedFile, contract: Contract, wards: Lookup) -> None:
    """Whole-file rules once the rows are read: some data, one ward, not too many bad rows."""
    data_rows = parsed.rows_read - parsed.rows_skipped
    if data_rows == 0:
        raise FileRejected(
            "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề cột; nếu trong kỳ không có số liệu, "
            "hãy báo cho cán bộ tổng hợp thay vì gửi mẫu trống"
        )
    if contract.ward_column:
        counted = Counter(
            wards.current(r[contract.ward_column]) for r in parsed.rows if r.get(contract.ward_column)
        )
        if counted:
            rows_ward = counted.most_common(1)[0][0]
            if parsed.ward_code is None:
                parsed.ward_code = rows_ward
            elif wards.current(parsed.ward_code) != rows_ward:
                title_ward, row_ward = wards.display_name(parsed.ward_code), wards.display_name(rows_ward)
                raise FileRejected(
                    f"Tiêu đề ghi phường {title_ward} nhưng phần lớn các dòng thuộc phường {row_ward}; "
                    "hãy sửa tiêu đề (có thể tệp dùng lại mẫu của phường khác)"
                )
    if parsed.rows_rejected / data_rows > contract.max_bad_row_share:
        shown = "; ".join(
            f"dòng {r.row_number}, {r.column}: {r.reason}" for r in parsed.rejects[:REASONS_SHOWN]
        )
        more = len(parsed.rejects) - REASONS_SHOWN
        raise FileRejected(
            f"{parsed.rows_rejected}/{data_rows} dòng bị lỗi, quá ngưỡng "
            f"{contract.max_bad_row_share:.0%}. Các lỗi: {shown}"
            + (f" … và {more} lỗi khác" if more > 0 else "")
        )
