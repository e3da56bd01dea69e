"""Typed values from what offices type: dates, integers, sex, personal IDs, names."""

from __future__ import annotations

import datetime as dt
import re

from ingestion.text import fold, nfc


class BadValue(ValueError):
    """A cell that cannot be read as its column's type; the message is the Vietnamese reason."""


class UnknownValue(BadValue):
    """A value of a fixed vocabulary (a ward, a vaccine, a sex, a choice, a code) that is not in it:
    the receipt counts each such value and names the nearest known one."""


EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_DIGITS = re.compile(r"^\d+$")


def shown(value: object) -> str:
    """A cell as the clerk typed it: Excel stores 1 as 1.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 1 < value < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise BadValue(f"Không đọc được ngày '{text}' (cần dạng dd/mm/yyyy)")


def parse_integer(value: object) -> int:
    if isinstance(value, bool):
        raise BadValue(f"'{value}' không phải số nguyên")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if _DIGITS.match(text):
        return int(text)
    raise BadValue(f"'{text}' không phải số nguyên")


def parse_sex(value: object) -> str:
    key = fold(value)
    if key in ("nam", "m", "male", "trai"):
        return "M"
    if key in ("nu", "f", "female", "gai"):
        return "F"
    raise UnknownValue(f"Giới tính '{shown(value)}' không hợp lệ (cần Nam hoặc Nữ)")


def parse_personal_id(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().replace(" ", "").replace(".", "")
    if isinstance(value, int) and 9 <= len(text) < 12:
        text = text.zfill(12)  # Excel drops the leading zeros of an ID typed as a number
    if not (len(text) == 12 and _DIGITS.match(text)):
        raise BadValue(f"Mã định danh '{shown(value)}' phải gồm đúng 12 chữ số")
    return text


def id_sex_and_year(personal_id: str) -> tuple[str, int]:
    """Sex and birth year encoded in a 12-digit personal ID (century-sex digit, then 2-digit year)."""
    code = int(personal_id[3])
    century = 1900 + 100 * (code // 2)
    return ("M" if code % 2 == 0 else "F"), century + int(personal_id[4:6])


def parse_name(value: object) -> str:
    text = nfc(str(value))
    if not any(ch.isalpha() for ch in text):
        raise BadValue(f"Họ tên '{value}' không hợp lệ")
    return text


def parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def parse_code(value: object, pattern: re.Pattern | None, label: str, pattern_vi: str | None) -> str:
    """An identifier typed by hand (card number, case number): no spaces, upper case."""
    text = re.sub(r"\s+", "", parse_text(value)).upper()
    if pattern is not None and not pattern.match(text):
        raise BadValue(
            f"{label} '{shown(value)}' không đúng dạng" + (f" ({pattern_vi})" if pattern_vi else "")
        )
    return text


def parse_choice(value: object, choices: dict[str, object], label: str, shown_choices: list[str]) -> object:
    """One of a fixed list of values, whatever the case or diacritics; the stored value is its code."""
    key = fold(shown(value))  # Excel stores a typed 1 as 1.0
    if key in choices:
        return choices[key]
    raise UnknownValue(f"{label} '{shown(value)}' không hợp lệ (cần một trong: {', '.join(shown_choices)})")


_LIST_SEPARATORS = re.compile(r"[;,/+\s]+")


def parse_code_list(value: object, codes: tuple[str, ...], label: str) -> str | None:
    """Letter codes such as the HCĐB groups ('a; d', 'A,D'): checked, in catalogue order, ';'-joined.
    Letters are compared without folding, since 'đ' and 'd' are different groups."""
    parts = [p for p in _LIST_SEPARATORS.split(nfc(str(value)).lower()) if p]
    unknown = [p for p in parts if p not in codes]
    if unknown:
        raise UnknownValue(f"{label}: mã '{', '.join(unknown)}' không có trong danh mục ({', '.join(codes)})")
    return ";".join(c for c in codes if c in parts) or None
