"""One file against its contract: header, period, ward, typed rows, rejects. No database here."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from base import vi
from ingestion import hints, values
from ingestion.contract import Column, Contract, RowRule
from ingestion.header import HeaderMatch, find_header
from ingestion.lookups import Lookup, load_lookups
from ingestion.reader import read_sheets
from ingestion.text import fold, nfc

TOTAL_ROW_LABELS = {"tong cong", "tong so", "cong"}
TOTAL_ROW_CELLS = 3  # 'Tổng cộng' stands in the STT or name column, with a count or two beside it
NOTE_ROW_MAX_CELLS = 2  # a row filling at most this many contract columns is a note or a signature
REASONS_SHOWN = 10
SEX_VI = {"M": "Nam", "F": "Nữ"}
_NUMBERING = re.compile(r"^\(?([0-9]{1,2}|[A-Za-z])\)?$")
_PLACE_DATE = re.compile(r"ngay\s*\d{1,2}\s*thang")  # 'Hà Đông, ngày 05 tháng 4 năm 2025': when signed


_LABEL_START = re.compile(r"[\s:;,.\-*()]*(.)", re.DOTALL)  # the first letter after what fold() strips


def _is_total_label(text: str) -> bool:
    """'Tổng cộng', 'TỔNG SỐ:', 'Cộng', or the same typed without diacritics; but not a child called
    Tống Công: when the cell has diacritics they must be those of the label."""
    start = _LABEL_START.match(text)
    # every row's first cells come here, most of them numbers, IDs or names seen once: fold only what
    # could be a label, one that starts with T or C (with any accent)
    if start is None or unicodedata.normalize("NFD", start[1])[0] not in "TtCc":
        return False
    key = fold(text)
    if key not in TOTAL_ROW_LABELS:
        return False
    typed = nfc(text).lower().strip(" :.")
    return typed.isascii() or typed in ("tổng cộng", "tổng số", "cộng")


def _is_total_row(cells: list[object]) -> bool:
    """The total label near the left (with totals beside it or not); a bare 'Cộng' only with little
    else in the row, since a child's given name can be Công typed without diacritics."""
    for value in cells[:TOTAL_ROW_CELLS]:
        if isinstance(value, str) and value and _is_total_label(value):
            if fold(value) != "cong" or sum(not values.is_blank(v) for v in cells) <= TOTAL_ROW_CELLS:
                return True
    return False


def _all_zero(cells: list[object]) -> bool:
    """A total row stating nothing but zeros (or no number at all)."""
    for value in cells:
        if isinstance(value, (int, float)) and value != 0:
            return False
        if isinstance(value, str) and value.strip().isdigit() and int(value) != 0:
            return False
    return True


class FileRejected(Exception):
    """The whole file goes to quarantine; the message says why, in Vietnamese. ``title``: the cells
    of the title block (folded), when the file was read that far: they may still say its ward and period.
    ``hint``: what the receipt suggests (the closest headers, the unknown values)."""

    title: tuple[str, ...] = ()

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


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
    # the good rows, column by column (a dict per row would cost more than the values themselves)
    columns: dict[str, list] = field(default_factory=dict)
    source_rows: list[int] = field(default_factory=list)  # their spreadsheet row numbers
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    nil_report: bool = False  # a 'Tổng cộng' row under no data rows: nothing to report this period
    # (column name, value as typed) -> rows: values outside the column's vocabulary
    unknown_values: Counter = field(default_factory=Counter)

    @property
    def rows_loaded(self) -> int:
        return len(self.source_rows)

    @property
    def rows(self) -> list[dict]:
        """The good rows as dicts with their 'source_row', to read them one by one."""
        names = list(self.columns)
        return [
            {**dict(zip(names, values, strict=True)), "source_row": number}
            for number, *values in zip(self.source_rows, *self.columns.values(), strict=True)
        ]


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year:04d}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last))


def quarter_period(year: int, quarter: int) -> Period:
    end = month_period(year, 3 * quarter)
    return Period(f"{year:04d}-Q{quarter}", dt.date(year, 3 * quarter - 2, 1), end.end)


def year_period(year: int) -> Period:
    return Period(f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31))


ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
GRAIN_VI = {
    "month": "'tháng MM năm YYYY'",
    "quarter": "'quý I..IV năm YYYY'",
    "year": "'năm YYYY'",
}


def _period_from(grain: str, found: re.Match) -> Period | None:
    year = int(found["year"])
    if not 2000 <= year <= 2100:
        return None
    if grain == "year":
        return year_period(year)
    if grain == "quarter":
        text = found["quarter"].lower()
        quarter = ROMAN_QUARTERS.get(text) or int(text)
        return quarter_period(year, quarter) if 1 <= quarter <= 4 else None
    month = int(found["month"])
    return month_period(year, month) if 1 <= month <= 12 else None


def _find_period(contract: Contract, title: list[str], file_name: str) -> Period:
    """The title block says the period; else the file name. Patterns are tried in contract order
    (the finest grain first), so 'tháng 3 năm 2025' is a month, not the year 2025."""
    for texts, which in ((title, "title"), ([file_name], "filename")):
        for pattern in contract.periods:
            regex = getattr(pattern, which)
            if regex is None:
                continue
            for text in texts:
                if _PLACE_DATE.search(text):
                    continue
                found = regex.search(text)
                period = _period_from(pattern.grain, found) if found else None
                if period:
                    return period
    wanted = " hoặc ".join(GRAIN_VI[p.grain] for p in contract.periods if p.title is not None)
    raise FileRejected(
        f"Không xác định được kỳ báo cáo: tiêu đề bảng cần ghi {wanted} (hoặc tên tệp ghi kỳ, "
        "ví dụ 'T03-2025', 'Q1-2025')"
    )


def _find_ward(contract: Contract, title: list[str], file_name: str, wards: Lookup) -> str | None:
    """The ward a ward office's file belongs to: from the title block, else from the file name."""
    if contract.ward_scope == "district":
        return None
    if contract.ward_title_pattern is not None:
        for text in title:
            found = contract.ward_title_pattern.search(text)
            if found:
                code = wards.resolve(found["ward"])
                if code:
                    return code
    if contract.ward_filename_pattern is not None:
        found = contract.ward_filename_pattern.search(Path(file_name).stem)
        if found:
            return wards.resolve(found["ward"], compact=True)
    return None


def identify(
    contract: Contract, file_name: str, title: Sequence[str] = ()
) -> tuple[Period | None, str | None]:
    """The period and ward a file says it is for, found as parse_file finds them (from the title
    cells, if it was read that far, else from its name) but without reading it: to label a file set
    aside. None for what it does not tell. The ward is the one in force when the period starts (as
    named when the period is not told). Only a lookup fault could raise here."""
    try:
        period = _find_period(contract, list(title), file_name)
    except FileRejected:
        period = None
    wards = load_lookups()["ward"]
    ward_code = _find_ward(contract, list(title), file_name, wards)
    if ward_code is not None and period is not None:
        ward_code = wards.in_force(ward_code, period.start)
    return period, ward_code


def _parse_cell(column: Column, raw: object, lookups: dict[str, Lookup]) -> object:
    kind = column.type
    if column.learned_values:
        learned = column.learned_map.get(fold(values.shown(raw)))
        if learned is not None:
            return learned
    if kind == "date":
        return values.parse_date(raw)
    if kind == "integer":
        number = values.parse_integer(raw)
        if column.min is not None and number < column.min:
            raise values.BadValue(f"{column.label_vi} = {number} nhỏ hơn {column.min}")
        if column.max is not None and number > column.max:
            raise values.BadValue(f"{column.label_vi} = {number} lớn hơn {column.max}")
        if column.allowed and number not in column.allowed:
            allowed = ", ".join(vi.count(a) for a in column.allowed)
            raise values.BadValue(f"{column.label_vi} = {vi.count(number)} không hợp lệ (cần: {allowed})")
        return number
    if kind == "sex":
        return values.parse_sex(raw)
    if kind == "personal_id":
        return values.parse_personal_id(raw)
    if kind == "name":
        return values.parse_name(raw)
    if kind == "code":
        return values.parse_code(raw, column.pattern, column.label_vi, column.pattern_vi)
    if kind in ("choice", "boolean"):
        return values.parse_choice(raw, column.choice_map, column.label_vi, [s[0] for _, s in column.choices])
    if kind == "code_list":
        return values.parse_code_list(raw, column.codes, column.label_vi)
    if kind == "lookup":
        lookup = lookups[column.lookup]
        code = lookup.resolve(raw)
        if code is None:
            raise values.UnknownValue(f"Không nhận ra {lookup.description_vi} '{raw}'")
        return code
    return values.parse_text(raw)


def _rule_errors(contract: Contract, row: dict, period: Period) -> list[tuple[str, str]]:
    """(column name, Vietnamese reason) for every row rule the typed row breaks."""
    errors = []
    for rule in contract.row_rules:
        value = row.get(rule.column)
        if value is None:
            continue
        label = contract.column(rule.column).label_vi
        reason = rule.params.get("reason_vi")
        if rule.rule == "id_matches":
            errors.extend((rule.column, r) for r in _id_errors(value, rule, row))
        elif rule.rule == "not_after_period_end":
            if value > period.end:
                errors.append((rule.column, reason or f"{label} sau cuối kỳ báo cáo ({period.end:%d/%m/%Y})"))
        elif rule.rule == "not_older_than_years":
            if value < _years_before(period.end, int(rule.params["years"])):
                errors.append((rule.column, reason or f"{label} quá xa"))
        elif rule.rule in ("not_before", "at_most"):
            other_name = rule.params["other"]
            other = row.get(other_name)
            other_label = contract.column(other_name).label_vi
            if other is None:
                continue
            if rule.rule == "not_before" and value < other:
                errors.append((rule.column, reason or f"{label} trước {other_label.lower()}"))
            if rule.rule == "at_most" and value > other:
                errors.append(
                    (rule.column, reason or f"{label} ({value}) lớn hơn {other_label.lower()} ({other})")
                )
        else:
            raise ValueError(f"{contract.source}: unknown row rule {rule.rule}")
    return errors


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _id_errors(personal_id: str, rule: RowRule, row: dict) -> list[str]:
    sex, year = values.id_sex_and_year(personal_id)
    row_sex, birth = row.get(rule.params["sex"]), row.get(rule.params["birth_date"])
    errors = []
    if row_sex is not None and sex != row_sex:
        errors.append(
            f"Mã định danh ghi giới tính {SEX_VI[sex]} (chữ số thứ 4 là {personal_id[3]}) "
            f"nhưng cột giới tính ghi {SEX_VI[row_sex]}"
        )
    if birth is not None and year != birth.year:
        errors.append(f"Mã định danh ghi năm sinh {year}, khác ngày sinh {birth:%d/%m/%Y}")
    return errors


def _shown(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else values.shown(value)


def _title_cells(rows: list[list[object]], header_row: int) -> list[str]:
    """Every non-empty cell above the header, folded; cells are kept apart (a title row often holds two)."""
    return [fold(c) for row in rows[:header_row] for c in row if not values.is_blank(c)]


def _is_column_numbering(cells: list[object]) -> bool:
    """The '(1) (2) (3) …' or 'A B 1 2 …' row that official forms put under the header: letters and
    numbers that each count up by one (a data row of small numbers does not)."""
    found = [_NUMBERING.match(values.shown(c).strip()) for c in cells if not values.is_blank(c)]
    if len(found) < 3 or not all(found):
        return False
    tokens = [m.group(1) for m in found]
    numbers = [int(t) for t in tokens if t.isdigit()]
    letters = [ord(t.upper()) for t in tokens if not t.isdigit()]
    return all(b - a == 1 for seq in (numbers, letters) for a, b in zip(seq, seq[1:], strict=False))


def _is_note(mapped: dict[str, object]) -> bool:
    """A blank row, or a note or signature: a cell or two of words (or the place and date of signing).
    A short row holding a number or a date is a data row with missing values, to be rejected with a
    reason, not skipped."""
    filled = []
    for value in mapped.values():
        if not values.is_blank(value):
            filled.append(value)
            if len(filled) > NOTE_ROW_MAX_CELLS:
                return False  # a data row: decided at its third filled cell
    return all(
        isinstance(v, str) and (not any(ch.isdigit() for ch in v) or _PLACE_DATE.search(fold(v)))
        for v in filled
    )


def _check_sheets(sheets: list, header: HeaderMatch, contract: Contract) -> None:
    """One table per file: another sheet with the same table would be silently left out."""
    others = [
        m.sheet.name
        for m in (
            find_header([sheet], contract) for sheet in sheets if sheet is not header.sheet and sheet.visible
        )
        if m is not None and not m.missing(contract) and (m.sheet.more or len(m.sheet.head) > m.data_start)
    ]
    if others:
        names = ", ".join(f"'{n}'" for n in [header.sheet.name, *others])
        raise FileRejected(
            f"Tệp có nhiều trang dữ liệu cùng mẫu ({names}); mỗi tệp chỉ gửi một bảng, "
            "hãy tách thành các tệp riêng"
        )


def parse_file(path: Path, contract: Contract, name: str | None = None) -> ParsedFile:
    """Read and check one file (``name``: the name it was sent under, if ``path`` has another).
    Raises FileRejected (or reader.UnreadableFile) for whole-file faults."""
    name = name or path.name
    lookups = load_lookups()
    sheets = read_sheets(path, name)
    header = find_header(sheets, contract)
    if header is None:
        raise FileRejected(
            "Không tìm thấy dòng tiêu đề cột nào khớp mẫu báo cáo "
            f"'{contract.name_vi}' (cần các cột: {', '.join(c.label_vi for c in contract.required_columns)})"
        )
    title = _title_cells(header.sheet.head, header.header_row)
    try:
        return _parse_table(sheets, header, title, contract, name, lookups)
    except FileRejected as error:
        error.title = tuple(title)  # what the file says of itself, for the registry row of its quarantine
        raise


def _parse_table(
    sheets: list, header: HeaderMatch, title: list[str], contract: Contract, name: str, lookups: dict
) -> ParsedFile:
    """The file once its header is found: its columns, period, ward and rows."""
    missing = [c for c in contract.required_columns if c.name not in header.columns]
    if missing:
        raise FileRejected(
            f"Thiếu cột bắt buộc: {', '.join(c.label_vi for c in missing)} "
            f"(bảng ở trang '{header.sheet.name}', dòng tiêu đề {header.header_row + 1})",
            hints.missing_columns_hint(contract, missing, header.headers, header.closest),
        )
    _check_sheets(sheets, header, contract)
    period = _find_period(contract, title, name)
    parsed = ParsedFile(
        header.sheet.name,
        header.header_row + 1,
        period,
        _find_ward(contract, title, name, lookups["ward"]),
    )
    _read_rows(parsed, header, contract, lookups)
    _check_file(parsed, contract, lookups)
    return parsed


def _read_rows(parsed: ParsedFile, header: HeaderMatch, contract: Contract, lookups: dict) -> None:
    """Every row below the header, read once: the raw rows are not kept, the typed ones are."""
    seen_keys: dict[tuple, int] = {}
    cache: dict = {}
    parsed.columns = {column.name: [] for column in contract.columns}
    total_seen = False
    below = itertools.islice(header.sheet.rows(), header.data_start, None)
    for index, cells in enumerate(below, start=header.data_start):
        row_number = index + 1
        mapped = {name: (cells[i] if i < len(cells) else None) for name, i in header.columns.items()}
        parsed.rows_read += 1
        if _is_total_row(cells):
            if not total_seen and parsed.rows_read - parsed.rows_skipped == 1:
                parsed.nil_report = _all_zero(cells)
            total_seen = True  # below it come signatures (or, after a subtotal, more data rows)
            parsed.rows_skipped += 1
            continue
        if _is_note(mapped):
            parsed.rows_skipped += 1  # blank rows, notes, the signature block ('ngày … tháng' too)
            continue
        if index == header.data_start and _is_column_numbering(cells):
            parsed.rows_skipped += 1
            continue
        typed, errors, unknown = _typed_row(contract, mapped, lookups, parsed.period, cache)
        for name in unknown:
            parsed.unknown_values[(name, nfc(_shown(mapped[name])))] += 1
        if not errors and contract.duplicate_key:
            key = tuple(typed.get(k) for k in contract.duplicate_key)
            if key in seen_keys:
                hint = f"; {contract.duplicate_hint_vi}" if contract.duplicate_hint_vi else ""
                errors.append((contract.duplicate_key[0], f"Dòng trùng lặp với dòng {seen_keys[key]}{hint}"))
            else:
                seen_keys[key] = row_number
        if errors:
            parsed.rows_rejected += 1
            for name, reason in errors:
                column = contract.column(name)
                shown = nfc(_shown(mapped.get(name)))
                parsed.rejects.append(Reject(row_number, column.label_vi, shown, nfc(reason)))
            continue
        for name, column in parsed.columns.items():
            column.append(typed[name])
        parsed.source_rows.append(row_number)


# Values that repeat down a column (sex, ward, vaccine, a date typed as text) are parsed once per file.
CACHED_TYPES = {"date", "integer", "sex", "lookup", "choice", "boolean", "code_list"}


def _typed_row(
    contract: Contract, mapped: dict[str, object], lookups: dict, period: Period, cache: dict
) -> tuple[dict[str, object], list[tuple[str, str]], list[str]]:
    """The typed row, the reasons it fails, and the columns whose value is outside their vocabulary."""
    typed: dict[str, object] = {}
    errors: list[tuple[str, str]] = []
    unknown: list[str] = []
    for column in contract.columns:
        raw = mapped.get(column.name)
        if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
            if column.required:
                errors.append((column.name, f"Thiếu giá trị bắt buộc ở cột {column.label_vi}"))
            typed[column.name] = None
            continue
        # the type is part of the key: False == 0 == 0.0 in Python, not in what the clerk typed
        key = (column.name, type(raw), raw) if column.type in CACHED_TYPES else None
        result = cache.get(key) if key is not None else None
        if result is None:
            try:
                result = (_parse_cell(column, raw, lookups), None, False)
            except values.BadValue as error:
                result = (None, str(error), isinstance(error, values.UnknownValue))
            if key is not None:
                cache[key] = result
        typed[column.name] = result[0]
        if result[1] is not None:
            errors.append((column.name, result[1]))
        if result[2]:
            unknown.append(column.name)
    if not errors:
        errors = _rule_errors(contract, typed, period)
    return typed, errors, unknown


def _check_ward(parsed: ParsedFile, contract: Contract, wards: Lookup) -> None:
    """A ward office's file is one ward's: the title's (or the name's) and its rows' agree."""
    if contract.ward_column:
        counted = Counter(wards.current(code) for code in parsed.columns[contract.ward_column] if code)
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
    if parsed.ward_code is not None:
        parsed.ward_code = wards.in_force(parsed.ward_code, parsed.period.start)
    if parsed.ward_code is None:
        raise FileRejected(
            "Không xác định được tệp của phường nào: phần đầu trang cần ghi 'UBND PHƯỜNG <tên phường>' "
            "(hoặc tên tệp chứa tên phường, ví dụ '..._MoLao_T03-2025.xlsx')"
        )


def _check_file(parsed: ParsedFile, contract: Contract, lookups: dict[str, Lookup]) -> None:
    """Whole-file rules once the rows are read: some data, one ward, not too many bad rows (a district-wide
    file too)."""
    data_rows = parsed.rows_read - parsed.rows_skipped
    if data_rows == 0 and not parsed.nil_report:
        raise FileRejected(
            "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề cột; nếu trong kỳ không có trường hợp nào, "
            "hãy giữ dòng 'Tổng cộng' ghi 0 để xác nhận báo cáo không có số liệu"
        )
    if contract.ward_scope != "district":
        _check_ward(parsed, contract, lookups["ward"])
    if (
        data_rows >= contract.bad_share_min_rows
        and parsed.rows_rejected / data_rows > contract.max_bad_row_share
    ):
        raise FileRejected(
            f"{parsed.rows_rejected}/{data_rows} dòng bị lỗi, quá ngưỡng "
            f"{contract.max_bad_row_share:.0%}. Các lỗi: {rejects_summary(parsed)}",
            hints.unknown_values_hint(contract, parsed.unknown_values, lookups),
        )


def rejects_summary(parsed: ParsedFile) -> str:
    """The first rejects in a line, for a quarantine reason."""
    shown = "; ".join(f"dòng {r.row_number}, {r.column}: {r.reason}" for r in parsed.rejects[:REASONS_SHOWN])
    more = len(parsed.rejects) - REASONS_SHOWN
    return shown + (f" … và {more} lỗi khác" if more > 0 else "")
