"""Vietnamese number, percent and date formats: 1.234; 45,6%; 14/05/2025."""

from __future__ import annotations

import datetime as dt
import math

from base import vi
from policy.status import is_negative


def number(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return vi.count(value)


def percent(value: float | None, digits: int = 1) -> str:
    """A fraction (0.456) as a Vietnamese percentage ('45,6%')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{digits}f}%".replace(".", ",")


def datetime(value: dt.datetime | None) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else "–"


def date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "–"


def month_label(month_key: str) -> str:
    """'2025-03' → 'Tháng 03/2025'."""
    year, month = month_key.split("-")
    return f"Tháng {month}/{year}"


def report_period_label(label: str, start: object, end: object) -> str:
    """A report period as its title and the months it covers: 'Báo cáo … năm 2025 (01/01–31/10/2025)'."""
    return f"{label} ({start:%d/%m}–{end:%d/%m/%Y})"


def period_label(row: tuple) -> str:
    """A period the sector pages offer, from (period_type, period_key, period_start, period_end,
    label_vi, label_en): 'Cả năm 2025', the report's title and months, 'Từ đầu năm đến tháng 10/2025',
    '6 tháng đầu năm 2025', 'Quý 2/2025', 'Tháng 03/2025'."""
    from dashboard.i18n import t

    period_type, period_key, start, end, label_vi, label_en = row
    if period_type == "report":
        return report_period_label(t(label_vi, label_en), start, end)
    if period_type == "year":
        return t(f"Cả năm {period_key}", f"Year {period_key}")
    if period_type == "ytd":
        return t(f"Từ đầu năm đến {month_label(f'{end:%Y-%m}').lower()}", f"Year to date to {end:%m/%Y}")
    if period_type == "half_year":
        first = period_key.endswith("H1")
        return t(
            f"6 tháng {'đầu' if first else 'cuối'} năm {start.year}",
            f"{'First' if first else 'Second'} half of {start.year}",
        )
    if period_type == "quarter":
        return t(
            f"Quý {period_key.split('Q')[-1]}/{start.year}", f"Q{period_key.split('Q')[-1]} {start.year}"
        )
    return t(month_label(period_key), f"Month {period_key[5:]}/{period_key[:4]}")


# --- overview and ward pages ---


def indicator_value(value: object, unit: object, mark: object = None) -> str:
    """An indicator's value: a count ('3') or a percentage ('45,6%'); '–' when missing. A value hidden
    because it rests on small protection counts shows its ``mark``: '<5' or 'x' for a count, 'ẩn' for a
    rate. A negative value (a data question, judged 'Cần kiểm tra') is '–', as the reports print it."""
    from dashboard.i18n import t

    if value is None or value != value:  # None or NaN
        if isinstance(mark, str):
            return t("ẩn", "hidden") if mark == "hidden" else mark
        return "–"
    if is_negative(value):
        return "–"
    return number(value) if unit == "count" else percent(float(value))


def indicator_target(target: object, comparison: object, unit: object) -> str:
    """'≥ 98%', '≤ 10%', '≤ 1,8' (a count target), 'tăng' / 'rising' (no numeric target)."""
    from dashboard.i18n import t

    if comparison == "rising":
        return t("tăng", "rising")
    if target is None or target != target:
        return "–"
    sign = "≥" if comparison == "at_least" else "≤"
    if unit == "count":
        return f"{sign} {f'{float(target):.1f}'.replace('.', ',')}"
    return f"{sign} {percent(float(target), 0)}"
