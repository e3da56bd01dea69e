"""Ward event reports not tied to a child's identity: protection cases, injuries, and the yearly
child-friendly ward self-assessment."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import timedelta
from typing import Any

from . import child_friendly_truth, timing
from .context import Context
from .profile import Ward

ABUSE = {
    "Bạo lực thể chất": 35,
    "Bạo lực tinh thần": 15,
    "Xâm hại tình dục": 25,
    "Bỏ mặc, sao nhãng": 15,
    "Bóc lột sức lao động": 6,
    "Mua bán trẻ em": 4,
}
SUPPORT = ("Tư vấn tâm lý", "Hỗ trợ y tế", "Trợ giúp pháp lý", "Chăm sóc thay thế", "Hỗ trợ giáo dục")
PLACES = {
    "ngã": "Tại nhà",
    "giao thông": "Đường giao thông",
    "bỏng": "Tại nhà",
    "ngộ độc": "Tại nhà",
    "đuối nước": "Ao, hồ, sông",
    "khác": "Nơi khác",
}
# drowning peaks in the summer months
SEASON = {1: 0.7, 2: 0.7, 3: 0.8, 4: 0.9, 5: 1.2, 6: 1.5, 7: 1.6, 8: 1.4, 9: 1.0, 10: 0.9, 11: 0.7, 12: 0.6}


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (means here are small)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _children(ctx: Context, ward_index: int) -> int:
    return ctx.pop.children_by_ward[ward_index]


def protection_rows(ctx: Context, ward_index: int, period: timing.Period) -> list[dict[str, Any]]:
    ward = ctx.wards[ward_index]
    rng = ctx.rng("protection_cases", ward.code, period.code)
    mean = _children(ctx, ward_index) * ctx.profile["protection_cases"]["cases_per_1000_children"] / 1000 / 12
    rows = []
    days = (period.end - period.start).days + 1
    for k in range(_poisson(rng, mean)):
        reported = period.start + timedelta(days=rng.randrange(days))
        u = rng.random()
        wait = 0 if u < 0.6 else 1 if u < 0.85 - 0.2 * ward.params["lag"] else rng.randint(2, 10)
        intervened = reported + timedelta(days=wait) if rng.random() > 0.05 else None
        code = hashlib.sha1(f"{ctx.seed}|{ward.code}|{period.code}|{k}".encode()).hexdigest()[:6].upper()
        rows.append(
            {
                "case_id": f"BVTE-{ward.code}-{period.code}-{k + 1:02d}",
                "child_code": f"TE-{code}",
                "age": rng.randint(2, 15),
                "sex": rng.choice(("Nam", "Nữ")),
                "abuse": rng.choices(list(ABUSE), weights=list(ABUSE.values()))[0],
                "reported": reported,
                "intervened": intervened,
                "support": rng.choice(SUPPORT),
                "status": "Chưa can thiệp"
                if intervened is None
                else rng.choice(("Đang theo dõi", "Đã đóng hồ sơ")),
            }
        )
    rows.sort(key=lambda r: (r["reported"], r["case_id"]))
    return rows


def injury_rows(
    ctx: Context, ward: Ward, children: float, period: timing.Period, fatal_factor: float = 1.0
) -> list[dict[str, Any]]:
    """Injury events of a period in a ward of ``children`` children (a month or a whole year)."""
    conf = ctx.profile["injuries"]
    rng = ctx.rng("injuries", ward.code, period.code)
    rows = []
    months = range(period.start.month, period.end.month + 1)
    for m in months:
        first = period.start.replace(month=m, day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        for _ in range(_poisson(rng, children * conf["per_1000_children"] / 1000 / 12)):
            cause = rng.choices(list(conf["causes"]), weights=list(conf["causes"].values()))[0]
            if cause == "đuối nước" and rng.random() > SEASON[m] / 1.6:
                cause = "ngã"
            fatal = rng.random() < conf["fatal_share"][cause] * fatal_factor
            rows.append(
                {
                    "date": first + timedelta(days=rng.randrange((last - first).days + 1)),
                    "age": rng.randint(0, 15),
                    "sex": rng.choice(("Nam", "Nữ")),
                    "cause": cause.capitalize(),
                    "place": PLACES[cause],
                    "fatal": "Có" if fatal else "Không",
                }
            )
    _distinct(rows)
    rows.sort(key=lambda r: (r["date"], r["age"], r["cause"]))
    return rows


def _distinct(rows: list[dict[str, Any]]) -> None:
    """Two events alike in every column cannot be told apart in an extract without names (ingestion
    rejects the second as a duplicate); the simulation makes the second child a year older."""
    seen: set[tuple] = set()
    for row in rows:
        while tuple(row.values()) in seen:
            row["age"] = (row["age"] + 1) % 16
        seen.add(tuple(row.values()))


def child_friendly_rows(ctx: Context, ward_index: int, period: timing.Period) -> list[dict[str, Any]]:
    """The ward's self-assessment: for a criterion with data, what ``ctx.cache["child_friendly_claims"]``
    says it claims (demo/child_friendly_truth.py); otherwise a drawn share of the maximum, lower in a
    lagging ward. A criterion is marked met when it scores."""
    ward = ctx.wards[ward_index]
    rng = ctx.rng("child_friendly", ward.code, period.code)
    claimed = ctx.cache.get("child_friendly_claims", {}).get(ward.code, {})
    rows = []
    for criterion in child_friendly_truth.criteria():
        n, top = criterion["criterion"], criterion["max_points"]
        drawn = int(round(top * rng.uniform(0.86 - 0.25 * ward.params["lag"], 1.0) / 5) * 5)
        score = claimed.get(n, drawn)
        rows.append(
            {
                "criterion": n,
                "content": criterion["name_vi"],
                "max": top,
                "score": score,
                "met": "Đạt" if score > 0 else "Không đạt",
            }
        )
    return rows
