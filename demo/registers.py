"""Ward registers and the records about the same children: child register snapshots, HCĐB supports,
birth registrations (Tư pháp) and BHYT cards (BHXH)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import numpy as np

from . import timing
from .context import Context
from .population import Population, add_months_array


def in_register(pop: Population, day: date) -> np.ndarray:
    """Mask over children: listed in their ward's register snapshot of ``day`` (alive and under 16)."""
    return pop.alive_under(day, 16)


def on_card_list(pop: Population, day: date) -> np.ndarray:
    """Mask over children: on BHXH's card list of ``day`` (under 6, card issued by then, expired or not)."""
    return pop.alive_under(day, 6) & (pop.card_issue > 0) & (pop.card_issue <= day.toordinal())


def card_validity(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Valid-from and valid-to ordinals of every child's card (meaningless without a card): from the
    issue to the eve of the 6th birthday (28 February for a child born on 29 February), or 12 months
    for a short card."""
    issue = pop.card_issue.astype(np.int64)
    sixth = add_months_array(pop.birth, 72)
    born_feb_29 = sixth == add_months_array(pop.birth - 1, 72)  # 28 and 29 Feb share the 6th birthday
    eve = np.where(born_feb_29, sixth, sixth - 1)
    return issue, np.where(pop.card_short, issue + 364, eve)


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def child_register_rows(ctx: Context, ward_index: int, period: timing.Period) -> list[dict[str, Any]]:
    """Everyone under 16 living in the ward at the end of the quarter."""
    pop = ctx.pop
    members = np.flatnonzero((pop.ward == ward_index) & in_register(pop, period.end))
    rows = []
    for i in members.tolist():
        row = ctx.child(i)
        row.update(
            residence="Tạm trú" if pop.temporary[i] else "Thường trú",
            group=f"TDP {int(pop.group[i])}",
            mother=pop.mother(i),
            hcdb=pop.hcdb.get(i, ""),
        )
        rows.append(row)
    rows.sort(key=lambda r: (int(r["group"][4:]), r["_child"]))
    return rows


def hcdb_support_rows(ctx: Context, ward_index: int, period: timing.Period) -> list[dict[str, Any]]:
    pop, ward = ctx.pop, ctx.wards[ward_index]
    conf = ctx.profile["hcdb_support"]
    rng = ctx.rng("hcdb_support", ward.code, period.code)
    share = conf["monthly_support_share"] * (1 - 0.3 * ward.params["lag"])
    under16 = pop.alive_under(period.end, 16)
    rows = []
    for i in sorted(pop.hcdb):
        if pop.ward[i] != ward_index or not under16[i] or rng.random() >= share:
            continue
        kind = _weighted(rng, conf["kinds"])
        amount = {
            "tiền mặt": rng.randrange(300_000, 2_000_001, 50_000),
            "quà": rng.randrange(200_000, 500_001, 50_000),
            "thăm hỏi": rng.choice((0, 100_000, 200_000)),
            "dịch vụ": rng.randrange(0, 1_000_001, 100_000),
            "chuyển gửi": 0,
        }[kind]
        row = ctx.child(i)
        first = max(period.start, row["birth"])  # a child born this month is supported after birth
        row.update(
            hcdb=pop.hcdb[i],
            kind=kind.capitalize(),
            amount=amount,
            funding=_weighted(rng, conf["funding"]),
            date=first + timedelta(days=rng.randrange((period.end - first).days + 1)),
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["date"], r["_child"]))
    return rows


def birth_registration_rows(ctx: Context, ward_index: int, period: timing.Period) -> list[dict[str, Any]]:
    pop = ctx.pop
    start, end = period.start.toordinal(), period.end.toordinal()
    members = np.flatnonzero((pop.ward == ward_index) & (pop.registered >= start) & (pop.registered <= end))
    rows = []
    for i in members.tolist():
        row = ctx.child(i)
        row.update(
            mother=pop.mother(i),
            reg_date=date.fromordinal(int(pop.registered[i])),
            linked="Có" if pop.linked[i] else "Không",
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["reg_date"], r["_child"]))
    return rows


def health_insurance_rows(ctx: Context, period: timing.Period) -> list[dict[str, Any]]:
    """BHXH's monthly list of free BHYT cards of children under 6 (district-wide, expired ones too)."""
    pop = ctx.pop
    if "cards" not in ctx.cache:
        ctx.cache["cards"] = card_validity(pop)
    _, valid_to = ctx.cache["cards"]
    rows = []
    for i in np.flatnonzero(on_card_list(pop, period.end)).tolist():
        row = ctx.child(i)
        issue = date.fromordinal(int(pop.card_issue[i]))
        # TE1 = child under 6, 01 = Hà Nội, then the 10-digit social insurance number
        number = (i * 48_271 + ctx.seed * 7 + 1_000_003) % 10**8
        row.update(
            card_no=f"TE10101{number:08d}",
            ward=f"Phường {ctx.wards[int(pop.ward[i])].name}",
            issue=issue,
            valid_from=issue,
            valid_to=date.fromordinal(int(valid_to[i])),
            _ward=ctx.wards[int(pop.ward[i])].code,
            _ward_index=int(pop.ward[i]),
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["_ward_index"], r["_child"]))
    return rows
