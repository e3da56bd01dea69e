"""Reporting periods, deadlines (the 5th of the month after the period) and simulated submission times."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from base.clock import DISTRICT_TZ

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
DUE_DAY = 5


@dataclass(frozen=True)
class Period:
    code: str  # "2025-03", "2025-Q1", "2025"
    text: str  # as written in a title: "THÁNG 03 NĂM 2025"
    suffix: str  # in file names: "T03-2025"
    start: date
    end: date

    @property
    def due(self) -> date:
        following = self.end + timedelta(days=1)
        return following.replace(day=DUE_DAY)


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def month(year: int, m: int) -> Period:
    return Period(
        f"{year}-{m:02d}",
        f"THÁNG {m:02d} NĂM {year}",
        f"T{m:02d}-{year}",
        date(year, m, 1),
        _month_end(year, m),
    )


def quarter(year: int, q: int) -> Period:
    return Period(
        f"{year}-Q{q}",
        f"QUÝ {ROMAN[q]} NĂM {year}",
        f"Q{q}-{year}",
        date(year, 3 * q - 2, 1),
        _month_end(year, 3 * q),
    )


def vitamin_round(year: int, m: int) -> Period:
    """A vitamin A round (June or December): the whole month, mop-up days included."""
    return Period(
        f"{year}-{m:02d}", f"THÁNG {m} NĂM {year}", f"T{m:02d}-{year}", date(year, m, 1), _month_end(year, m)
    )


def whole_year(year: int) -> Period:
    return Period(f"{year}", f"NĂM {year}", f"{year}", date(year, 1, 1), date(year, 12, 31))


def submitted_at(period: Period, params: dict[str, Any], rng: random.Random) -> datetime:
    """Most offices send in the last days before the deadline; late ones some days after it."""
    if rng.random() < params.get("late_share", 0.0):
        day = period.due + timedelta(days=rng.randint(1, max(int(params.get("late_days", 1)), 1)))
    else:
        day = period.due - timedelta(days=rng.randint(0, 4))
    day = max(day, period.end + timedelta(days=1))
    clock = time(rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day, clock, tzinfo=DISTRICT_TZ)
