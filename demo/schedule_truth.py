"""The schedule doses the warehouse must count from the demo's good dose rows, computed apart from it
(numpy over the truth's dose columns; the rule is docs/warehouse.md#vaccines-products-and-antigens):

* a dose counts for every schedule item (seed vaccine_schedule) whose antigens its product (seed
  vaccine_products; ``sources.vaccine_product`` says which product a station's dose is) all carries,
  an item with ``max_age_days`` only up to that many days after birth;
* a child born on or after the first day of the earliest month with a good dose has a known history:
  each of its doses counting for an item takes as number the rank of its date among the distinct dates
  of the child's doses counting for that item;
* a child born before has not: a dose keeps its written number, for the items that list it and that
  no other such item refines (needs more antigens, all of this item's among them);
* only the (item, number) pairs the schedule lists are doses of the schedule.

Every row of the demo's truth is linked to its child, so "unlinked" never occurs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .health import DOSE_INDEX, SCHEDULE
from .seeds import read_seed
from .sources import vaccine_product


@dataclass(frozen=True)
class Item:
    code: str
    antigens: frozenset[str]
    max_age_days: int | None
    doses: frozenset[int]


def schedule_items() -> list[Item]:
    """The items of vaccine_schedule.csv with the antigens they need and the dose numbers they list."""
    rows = read_seed("vaccine_schedule.csv")
    items: dict[str, Item] = {}
    for row in rows:
        code = row["vaccine_code"]
        known = items.get(code)
        age = int(row["max_age_days"]) if row["max_age_days"].strip() else None
        items[code] = Item(
            code,
            frozenset(row["antigens"].split()),
            age,
            (known.doses if known else frozenset()) | {int(row["dose_number"])},
        )
    return list(items.values())


def product_antigens() -> dict[str, frozenset[str]]:
    return {
        row["product_code"]: frozenset(row["antigens"].split()) for row in read_seed("vaccine_products.csv")
    }


def carried_items(ward_codes: list[str], items: list[Item]) -> np.ndarray:
    """[ward, SCHEDULE index, item]: whether the dose a ward's station writes for that schedule row is of a
    product carrying every antigen the item needs."""
    antigens = product_antigens()
    table = np.zeros((len(ward_codes), len(SCHEDULE), len(items)), dtype=bool)
    for w, code in enumerate(ward_codes):
        for k, (item_code, *_) in enumerate(SCHEDULE):
            carried = antigens[vaccine_product(code, item_code)]
            for j, item in enumerate(items):
                table[w, k, j] = item.antigens <= carried
    return table


def _ranks(child: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per dose, the rank of its day among the distinct days of its child's doses (1 = the earliest)."""
    order = np.lexsort((day, child))
    c, d = child[order], day[order]
    first = np.ones(len(c), dtype=bool)
    first[1:] = c[1:] != c[:-1]
    new_day = first.copy()
    new_day[1:] |= d[1:] != d[:-1]
    count = np.cumsum(new_day)
    start = np.maximum.accumulate(np.where(first, np.arange(len(c)), 0))
    ranks = np.empty(len(c), dtype=np.int64)
    ranks[order] = count - count[start] + 1
    return ranks


def schedule_doses(
    doses: dict[str, np.ndarray], birth: np.ndarray, ward: np.ndarray, carried: np.ndarray, items: list[Item]
) -> dict[str, np.ndarray]:
    """The schedule doses of the good doses ``doses`` (columns child, dose: SCHEDULE index as written, day):
    columns ``row`` (the dose's index in ``doses``), ``child``, ``dose`` (DOSE_INDEX of the item and its
    number) and ``day``; one row per dose and item it counts as. ``birth`` and ``ward`` per child,
    ``carried`` from :func:`carried_items`."""
    child, written_k, day = doses["child"], doses["dose"], doses["day"]
    n = len(child)
    out: dict[str, list[np.ndarray]] = {"row": [], "child": [], "dose": [], "day": []}
    if n:
        start = date.fromordinal(int(day.min())).replace(day=1).toordinal()
        known = birth[child] >= start
        age = day - birth[child]
        written = np.array([number for _, number, *_ in SCHEDULE], np.int64)[written_k]
        counts = carried[ward[child], written_k]  # [dose, item]
        for j, item in enumerate(items):
            if item.max_age_days is not None:
                counts[:, j] &= age <= item.max_age_days
        # unknown history: the written number, for the items listing it that no other such item refines
        listed = np.stack([np.isin(written, sorted(item.doses)) for item in items], axis=1)
        candidate = counts & listed & ~known[:, None]
        kept = candidate.copy()
        for j, item in enumerate(items):
            for i, finer in enumerate(items):
                if item.antigens < finer.antigens:
                    kept[:, j] &= ~candidate[:, i]
        for j, item in enumerate(items):
            rows = np.flatnonzero(counts[:, j] & known)
            numbers = _ranks(child[rows], day[rows]) if len(rows) else np.zeros(0, np.int64)
            rows = np.concatenate([rows, np.flatnonzero(kept[:, j])])
            numbers = np.concatenate([numbers, written[kept[:, j]]])
            listed_here = np.isin(numbers, sorted(item.doses))
            rows, numbers = rows[listed_here], numbers[listed_here]
            out["row"].append(rows)
            out["child"].append(child[rows])
            index = np.full(max(item.doses) + 1, -1, np.int64)
            for number in item.doses:
                index[number] = DOSE_INDEX[(item.code, number)]
            out["dose"].append(index[numbers])
            out["day"].append(day[rows])
    return {name: np.concatenate([np.zeros(0, np.int64), *parts]) for name, parts in out.items()}
