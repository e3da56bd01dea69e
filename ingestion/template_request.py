"""What a blank template is for: the source's contract, the period (given as '2025-03', '2025-Q1',
'2025', or the current one), the office's ward, the period's deadline in the extract calendar (seed
extract_calendar.csv) and a file name the parser can read too. The workbook itself: ``template.py``."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from base.clock import local_now
from base.home import SEEDS_DIR
from ingestion.contract import Contract, load_contracts
from ingestion.lookups import load_lookups
from ingestion.parse_file import Period, month_period, quarter_period, year_period
from ingestion.text import fold

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
GRAIN_VI = {"month": "tháng", "quarter": "quý", "year": "năm"}
PERIOD_EXAMPLES = {"month": "2025-03 (tháng 3/2025)", "quarter": "2025-Q1 (quý I/2025)", "year": "2025"}


class TemplateError(ValueError):
    """A template that cannot be made as asked (unknown source, ward or period); the message is Vietnamese."""


def template_contract(source: str) -> Contract:
    contracts = load_contracts()
    if source not in contracts:
        known = ", ".join(f"{c.source} ({c.name_vi})" for c in contracts.values())
        raise TemplateError(f"Không có nguồn dữ liệu '{source}'. Các nguồn: {known}")
    return contracts[source]


def grains(contract: Contract) -> list[str]:
    """The period grains a title may name for this source, finest first as the contract lists them."""
    return list(dict.fromkeys(p.grain for p in contract.periods if p.title is not None))


def period_grain(period: Period) -> str:
    return "year" if len(period.key) == 4 else "quarter" if "Q" in period.key else "month"


def period_line(period: Period) -> str:
    """The period as the title states it, in the wording the parser reads: 'Tháng 03 năm 2025'."""
    grain = period_grain(period)
    if grain == "year":
        return f"Năm {period.start.year}"
    if grain == "quarter":
        return f"Quý {ROMAN[(period.start.month + 2) // 3]} năm {period.start.year}"
    return f"Tháng {period.start.month:02d} năm {period.start.year}"


@dataclass(frozen=True)
class CalendarRule:
    """What the extract calendar (seed extract_calendar.csv) says a source owes."""

    grain: str
    months: tuple[int, ...]  # the months a period must end in; empty: every period
    due_days: int
    obliged_from: dt.date
    obliged_to: dt.date


@cache
def _calendar() -> dict[str, tuple[CalendarRule, ...]]:
    rules: dict[str, list[CalendarRule]] = {}
    with open(SEEDS_DIR / "extract_calendar.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rules.setdefault(row["source"], []).append(
                CalendarRule(
                    grain=row["period_type"],
                    months=tuple(int(m) for m in row["months"].split(";") if m.strip()),
                    due_days=int(row["due_days_after_period_end"]),
                    obliged_from=dt.date.fromisoformat(row["obliged_from"]),
                    obliged_to=dt.date.fromisoformat(row["obliged_to"]),
                )
            )
    return {source: tuple(found) for source, found in rules.items()}


def calendar_rule(contract: Contract, day: dt.date) -> CalendarRule | None:
    """The calendar's rule for the source on ``day`` (the latest one begun by then, else the first)."""
    rules = sorted(_calendar().get(contract.source, ()), key=lambda r: r.obliged_from)
    begun = [r for r in rules if r.obliged_from <= day <= r.obliged_to]
    return begun[-1] if begun else (rules[0] if rules else None)


def deadline(contract: Contract, period: Period) -> dt.date | None:
    """The last day the period's file is on time, when the calendar owes this period, else None."""
    rule = calendar_rule(contract, period.start)
    if rule is None or rule.grain != period_grain(period):
        return None
    if not rule.obliged_from <= period.start <= rule.obliged_to:
        return None
    if rule.months and period.end.month not in rule.months:
        return None
    return period.end + dt.timedelta(days=rule.due_days)


def main_grain(contract: Contract) -> str:
    """The grain the calendar owes the source in (else the contract's first)."""
    rule = calendar_rule(contract, local_now().date())
    found = grains(contract)
    return rule.grain if rule is not None and rule.grain in found else found[0]


def _period_of(grain: str, day: dt.date) -> Period:
    if grain == "year":
        return year_period(day.year)
    if grain == "quarter":
        return quarter_period(day.year, (day.month + 2) // 3)
    return month_period(day.year, day.month)


def _step(period: Period, grain: str, back: bool) -> Period:
    day = period.start - dt.timedelta(days=1) if back else period.end + dt.timedelta(days=1)
    return _period_of(grain, day)


def current_period(contract: Contract, today: dt.date) -> Period:
    """The period under way on ``today`` in the calendar's grain; for a source owed only in some months
    (vitamin A rounds in June and December), the next owed period from ``today``."""
    grain = main_grain(contract)
    period = _period_of(grain, today)
    rule = calendar_rule(contract, today)
    if rule is not None and rule.grain == grain and rule.months:
        for _ in range(12):
            if period.end.month in rule.months:
                break
            period = _step(period, grain, back=False)
    return period


def next_owed(contract: Contract, today: dt.date, received: set[str]) -> tuple[Period, dt.date] | None:
    """The period to send next and its deadline: of the periods whose deadline is today or later, the
    earliest not yet ``received`` (period keys); when all are, the one after the period under way."""
    due = [(deadline(contract, p), p) for p in template_periods(contract, today)]
    open_ = sorted(
        (day, p.key, p) for day, p in due if day is not None and day >= today and p.key not in received
    )
    if open_:
        day, _, period = open_[0]
        return period, day
    period = current_period(contract, today)
    for _ in range(12):
        period = _step(period, main_grain(contract), back=False)
        day = deadline(contract, period)
        if day is not None and period.key not in received:
            return period, day
    return None


def template_periods(contract: Contract, today: dt.date, count: int = 12) -> list[Period]:
    """Periods to offer, newest first: the current one and those before it, in each grain the source
    can be sent in (the calendar's first); only owed months when the calendar names some."""
    main = main_grain(contract)
    rule = calendar_rule(contract, today)
    offered: list[Period] = []
    for grain in [main, *(g for g in grains(contract) if g != main)]:
        period = current_period(contract, today) if grain == main else _period_of(grain, today)
        limit = {"month": count, "quarter": max(count // 3, 4), "year": max(count // 4, 3)}[grain]
        found = 0
        for _ in range(limit * 12):
            if found >= limit:
                break
            months = rule.months if rule is not None and rule.grain == grain else ()
            if not months or period.end.month in months:
                offered.append(period)
                found += 1
            period = _step(period, grain, back=True)
    return offered


_MONTH = (
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
    re.compile(r"^T?(?P<month>\d{1,2})[-/](?P<year>\d{4})$"),
)
_QUARTER = (
    re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$"),
    re.compile(r"^Q(?P<quarter>[1-4])[-/](?P<year>\d{4})$"),
)
_YEAR = re.compile(r"^(?P<year>\d{4})$")


def parse_period(contract: Contract, text: str | None, today: dt.date | None = None) -> Period:
    """The period named by ``text`` ('2025-03', '03/2025', '2025-Q1', 'Q1-2025', '2025'), in a grain
    the source may be sent in; without text, the current period (``current_period``)."""
    if not text:
        return current_period(contract, today or local_now().date())
    text = text.strip().upper()
    allowed = grains(contract)
    found: tuple[str, re.Match] | None = None
    for grain, patterns in (("month", _MONTH), ("quarter", _QUARTER), ("year", (_YEAR,))):
        for pattern in patterns:
            match = pattern.match(text)
            if match:
                found = (grain, match)
    wanted = "; ".join(f"{GRAIN_VI[g]}: {PERIOD_EXAMPLES[g]}" for g in allowed)
    if found is None or found[0] not in allowed:
        raise TemplateError(
            f"Kỳ '{text}' không dùng được cho nguồn {contract.source} ({contract.name_vi}): cần {wanted}"
        )
    grain, match = found
    year = int(match["year"])
    if not 2000 <= year <= 2100 or (grain == "month" and not 1 <= int(match["month"]) <= 12):
        raise TemplateError(f"Kỳ '{text}' không hợp lệ: cần {wanted}")
    if grain == "month":
        return month_period(year, int(match["month"]))
    if grain == "quarter":
        return quarter_period(year, int(match["quarter"]))
    return year_period(year)


def wards_in_force(period: Period) -> list[tuple[str, str]]:
    """(code, name) of the wards of ``period`` (a ward merged before it starts is left out), by name."""
    wards = load_lookups()["ward"]
    codes = [code for code in wards.names if wards.in_force(code, period.start) == code]
    return sorted(((c, wards.display_name(c)) for c in codes), key=lambda pair: fold(pair[1]))


def ward_name(code: str) -> str:
    return load_lookups()["ward"].display_name(code)


def parse_ward(contract: Contract, text: str | None, period: Period) -> str | None:
    """The ward code named by ``text`` (a code such as 09541 or a name), checked against the source's
    scope and the period; None when no ward is asked for."""
    if not text:
        return None
    wards = load_lookups()["ward"]
    if contract.ward_scope == "district":
        raise TemplateError(
            f"Nguồn {contract.source} ({contract.name_vi}) là một tệp cho toàn quận, ghi phường ở từng "
            "dòng: bỏ --ward."
        )
    code = wards.resolve(text)
    if code is None:
        known = ", ".join(f"{c} {n}" for c, n in wards_in_force(period))
        raise TemplateError(f"Không có phường '{text}'. Các phường: {known}")
    current = wards.in_force(code, period.start)
    if current != code:
        raise TemplateError(
            f"Phường {wards.display_name(code)} đã sáp nhập vào phường {wards.display_name(current)} "
            f"trước {period_line(period).lower()}: dùng --ward {current}."
        )
    return code


def _compact(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in fold(name).split())


def template_file_name(contract: Contract, ward_code: str | None, period: Period) -> str:
    """A name the parser can read too (ward as the second '_' part, period as T03-2025 / Q1-2025 /
    2025): e.g. 'immunization_MoLao_T03-2025.xlsx', or 'health-insurance_T03-2025.xlsx'."""
    grain = period_grain(period)
    if grain == "month":
        token = f"T{period.start.month:02d}-{period.start.year}"
    elif grain == "quarter":
        token = f"Q{(period.start.month + 2) // 3}-{period.start.year}"
    else:
        token = str(period.start.year)
    parts = [contract.source.replace("_", "-")]
    if ward_code:
        parts.append(_compact(load_lookups()["ward"].display_name(ward_code)))
    return "_".join([*parts, token]) + ".xlsx"
