"""Health-station extracts: vaccine doses (immunization) and vitamin A rounds."""

from __future__ import annotations

from array import array
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

from . import timing
from .context import Context, ward_spelling
from .profile import Ward
from .sources import written_vaccine

# (canonical code, dose number, due age in months, due offset in days after that)
SCHEDULE: tuple[tuple[str, int, int, int], ...] = (
    ("BCG", 1, 0, 0),
    ("HEPB0", 1, 0, 0),
    ("DTP_HEPB_HIB", 1, 2, 0),
    ("DTP_HEPB_HIB", 2, 3, 0),
    ("DTP_HEPB_HIB", 3, 4, 0),
    ("OPV", 1, 2, 0),
    ("OPV", 2, 3, 0),
    ("OPV", 3, 4, 0),
    ("IPV", 1, 5, 0),
    ("MEASLES", 1, 9, 0),
    ("JE", 1, 12, 0),
    ("JE", 2, 12, 14),
    ("JE", 3, 24, 0),
    ("DTP_BOOSTER", 4, 18, 0),
    ("MR", 1, 18, 0),
)
VACCINE_ORDER = {code: i for i, code in enumerate(dict.fromkeys(c for c, *_ in SCHEDULE))}
DOSE_INDEX = {(code, dose): k for k, (code, dose, *_) in enumerate(SCHEDULE)}


def add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _child_doses(
    born: date, params: dict[str, Any], conf: dict[str, Any], rng: np.random.Generator
) -> list[tuple[str, int, date]]:
    """The doses one child receives, in order, dates never closer than the minimum interval."""
    lag = params["lag"]
    mean_delay = params["delay_days"]
    gap = timedelta(days=conf["min_interval_days"])
    keep_series = (1 - params["dtp_dropout"]) ** 0.5  # DTP1->DTP2 and DTP2->DTP3
    later = conf["later_dose_share"] - 0.1 * lag
    draws = rng.random(20)
    delays = rng.gamma(1.3, mean_delay / 1.3, 20)
    doses: list[tuple[str, int, date]] = []
    last: dict[str, date] = {}
    given: dict[tuple[str, int], bool] = {}

    def receives(code: str, dose: int, k: int) -> bool:
        u = draws[k]
        if code in ("BCG", "HEPB0"):
            return u < conf["birth_dose_share"]
        if code in ("DTP_HEPB_HIB", "OPV"):
            if dose == 1:
                return (
                    u < conf["first_dose_share"] - 0.04 * lag
                    if code == "DTP_HEPB_HIB"
                    else given.get(("DTP_HEPB_HIB", 1), False) and u < 0.995
                )
            if code == "OPV":
                return given.get(("DTP_HEPB_HIB", dose), False) and u < 0.995
            return given.get((code, dose - 1), False) and u < keep_series
        if code == "IPV":
            return given.get(("DTP_HEPB_HIB", 1), False) and u < later
        if code == "JE" and dose > 1:
            return given.get(("JE", dose - 1), False) and u < later + 0.03
        return u < later

    for k, (code, dose, months, offset) in enumerate(SCHEDULE):
        if not receives(code, dose, k):
            continue
        given[(code, dose)] = True
        if code == "HEPB0":
            delay = 0 if draws[k] < 0.9 * conf["birth_dose_share"] else 1
        elif code == "BCG":
            delay = int(delays[k] / 3)
        elif code == "OPV":  # same visit as the 5-in-1 dose
            doses.append((code, dose, next(d for c, n, d in doses if c == "DTP_HEPB_HIB" and n == dose)))
            continue
        else:
            delay = int(delays[k])
        due = add_months(born, months) + timedelta(days=offset + delay)
        if code in last:
            due = max(due, last[code] + gap)
        last[code] = due
        doses.append((code, dose, due))
    return doses


def immunization_rows(ctx: Context) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Rows per (ward code, period code) of the extract year and the year before; cached on the context,
    with every dose as numpy columns ``child``, ``dose`` (index into SCHEDULE) and ``day`` (ordinal).

    A child's doses are drawn once, so the year-before doses and the extract-year doses of one child
    agree (order, 28-day intervals across New Year). Children born from ``year - 3`` draw from the
    stream the extract year always used; those born in ``year - 4`` (only their JE dose 3 and late
    boosters fall in ``year - 1``) draw from their own stream and give year-before doses only, so the
    extract year's files stay as they were."""
    if "immunization" in ctx.cache:
        return ctx.cache["immunization"]
    pop, year = ctx.pop, ctx.year
    conf = ctx.profile["immunization"]
    first = date(year - 1, 1, 1)
    since = date(year - 3, 1, 1).toordinal()
    cohorts = (
        (pop.birth >= since, np.random.default_rng([ctx.seed, 11]), date(year, 12, 31)),
        (
            (pop.birth >= date(year - 4, 1, 1).toordinal()) & (pop.birth < since),
            np.random.default_rng([ctx.seed, 12]),
            date(year - 1, 12, 31),
        ),
    )
    by_file: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    columns = {"child": array("q"), "dose": array("q"), "day": array("q")}
    for chosen, rng, last in cohorts:
        for i in np.flatnonzero(chosen).tolist():
            ward = ctx.wards[int(pop.ward[i])]
            born = pop.born(i)
            child = None
            for code, dose, day in _child_doses(born, ward.params, conf, rng):
                if not first <= day <= last:
                    continue
                child = child or ctx.child(i, station=True)
                row = dict(child, date=day, dose=dose, _code=code, _ward=ward.code)
                by_file[(ward.code, f"{day.year}-{day.month:02d}")].append(row)
                columns["child"].append(i)
                columns["dose"].append(DOSE_INDEX[(code, dose)])
                columns["day"].append(day.toordinal())
    for rows in by_file.values():
        rows.sort(key=lambda r: (r["date"], VACCINE_ORDER[r["_code"]], r["dose"], r["_child"]))
    ctx.cache["immunization"] = by_file
    ctx.cache["doses"] = {name: np.frombuffer(values, dtype=np.int64) for name, values in columns.items()}
    return by_file


def style_immunization_rows(
    rows: list[dict[str, Any]], ward: Ward, style: str, ctx: Context, period: timing.Period
) -> list[dict[str, Any]]:
    """Spell vaccine, ward and facility the way this station writes them (``_product``: the product the
    vaccine cell names, seed vaccine_products)."""
    rng = ctx.rng("immunization-values", ward.code, period.code)
    written = {code: written_vaccine(ward.code, style, code) for code in VACCINE_ORDER}
    share = ctx.profile["immunization"]["district_centre_share"]
    out = []
    for row in rows:
        facility = "TTYT Hà Đông" if rng.random() < share else f"Trạm Y tế phường {ward.name}"
        product, spelling = written[row["_code"]]
        out.append(
            dict(
                row,
                vaccine=spelling,
                _product=product,
                ward=ward_spelling(ward.name, style, rng),
                facility=facility,
            )
        )
    return out


def vitamin_a_rows(ctx: Context, ward_index: int, period: timing.Period) -> list[dict[str, Any]]:
    """Children 6-36 months in the ward on the round day who took vitamin A in the round."""
    pop, ward = ctx.pop, ctx.wards[ward_index]
    conf = ctx.profile["vitamin_a"]
    rng = ctx.rng("vitamin_a", ward.code, period.code)
    round_day = period.start
    oldest = add_months(round_day, -36).toordinal()
    youngest = add_months(round_day, -6).toordinal()
    members = np.flatnonzero((pop.ward == ward_index) & (pop.birth >= oldest) & (pop.birth <= youngest))
    coverage = conf["coverage"] - 0.12 * ward.params["lag"]
    rows = []
    for i in members.tolist():
        if rng.random() >= coverage:
            continue
        if rng.random() < conf["mop_up_share"]:
            day = round_day + timedelta(days=rng.randint(2, 19))
        else:
            day = round_day + timedelta(days=rng.randint(0, 1))
        row = ctx.child(i, station=True)
        twelve_months = add_months(row["birth"], 12)
        row.update(
            date=day,
            iu=100_000 if day < twelve_months else 200_000,
            round=f"Tháng {round_day.month}/{round_day.year}",
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["date"], r["_child"]))
    return rows
