"""The child-friendly self-assessment against the data, as the generator means it and as a perfect
warehouse would judge it.

The rules are the dbt seeds ``child_friendly_criteria.csv`` and ``child_friendly_rules.csv``, applied
here in Python to the ground truth's figures of the assessed year (exact fractions: a share reaches
a band when numerator >= threshold × denominator). The generator's wards score a criterion with data
at the points their data support, except a few that claim more (over-score) and one that claims less
(under-scores); criteria without data keep their drawn scores.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .context import Context
from .seeds import read_seed

OVER_SCORING_WARDS = 3
UNDER_SCORING_WARDS = 1
Figures = dict[str, dict[str, int]]  # indicator -> {numerator, denominator} (injury_deaths: {deaths})


def criteria() -> list[dict[str, Any]]:
    """The 13 criteria: number, Vietnamese name and maximum points."""
    return [
        {"criterion": int(r["criterion"]), "name_vi": r["name_vi"], "max_points": int(r["max_points"])}
        for r in read_seed("child_friendly_criteria.csv")
    ]


def min_points() -> int:
    """child_friendly_min_points of indicator_parameters.csv."""
    return next(
        int(float(r["value"]))
        for r in read_seed("indicator_parameters.csv")
        if r["parameter"] == "child_friendly_min_points"
    )


def rules() -> list[dict[str, Any]]:
    return [
        {
            "criterion": int(r["criterion"]),
            "part": int(r["part"]),
            "indicator": r["indicator_code"],
            "sources": {source.strip() for source in r["sources"].split(";")},
            "comparison": r["comparison"],
            "threshold": Fraction(r["threshold"]) if r["threshold"] else None,
            "points": int(r["points"]),
        }
        for r in read_seed("child_friendly_rules.csv")
    ]


def _reaches(rule: dict[str, Any], figure: dict[str, int]) -> bool:
    if "deaths" in figure:  # a count
        n = figure["deaths"]
        return (
            rule["comparison"] == "at_least"
            and n >= rule["threshold"]
            or (rule["comparison"] == "at_most" and n <= rule["threshold"])
        )
    n, d = figure["numerator"], figure["denominator"]
    if rule["comparison"] == "no_members":
        return d == 0
    if d == 0:
        return False
    share = Fraction(n, d)
    return share >= rule["threshold"] if rule["comparison"] == "at_least" else share <= rule["threshold"]


def supported(figures: Figures, bands: list[dict[str, Any]], loaded: set[str]) -> dict[int, int | None]:
    """Points the year's figures support, per criterion with rules: each part's best band reached (0
    if none), summed; None when a part rests on a source whose extracts of the year (``<source>@-1``:
    of the year before) are not all in ``loaded``, or when its share has no denominator and no band
    for that."""
    parts: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for band in bands:
        parts.setdefault((band["criterion"], band["part"]), []).append(band)
    points: dict[int, int | None] = {}
    for (criterion, _), part_bands in sorted(parts.items()):
        figure = figures[part_bands[0]["indicator"]]
        reached = [b["points"] for b in part_bands if _reaches(b, figure)]
        empty = "deaths" not in figure and figure["denominator"] == 0
        part = max(reached) if reached else (None if empty else 0)
        if not part_bands[0]["sources"] <= loaded:
            part = None
        before = points.get(criterion, 0)
        points[criterion] = None if part is None or before is None else before + part
    return points


def claims(ctx: Context, supported_by_ward: dict[str, dict[int, int | None]]) -> dict[str, dict[int, int]]:
    """What each ward writes for the criteria with data: the supported points, except
    OVER_SCORING_WARDS wards that claim the maximum wherever their data give less, and
    UNDER_SCORING_WARDS that claim half (in fives) of their best-supported criterion."""
    top = {c["criterion"]: c["max_points"] for c in criteria()}
    codes = sorted(supported_by_ward)
    rng = ctx.rng("child_friendly", "claims")
    picked = rng.sample(codes, min(len(codes), OVER_SCORING_WARDS + UNDER_SCORING_WARDS))
    over, under = set(picked[:OVER_SCORING_WARDS]), set(picked[OVER_SCORING_WARDS:])
    out: dict[str, dict[int, int]] = {}
    for code in codes:
        known = {n: p for n, p in supported_by_ward[code].items() if p is not None}
        if code in over:
            known = {n: top[n] for n in known}
        elif code in under and any(known.values()):
            best = max(known, key=lambda n: (known[n], -n))
            known[best] = known[best] // 2 // 5 * 5
        out[code] = known
    return out


def cross_check(
    assessments: dict[str, tuple[int, list[dict[str, Any]]]],
    figures_by_ward: dict[str, Figures],
    loaded: dict[str, set[str]],
    year: int,
    min_points: int,
) -> dict[str, Any]:
    """Per ward with its own assessment of ``year``: per criterion its score, the data's and the
    verdict (as fct_child_friendly_cross_check), and the ward's standing on its own scores and on the
    data (as agg_child_friendly_cross_check)."""
    bands = rules()
    out: dict[str, Any] = {}
    for code, (assessed_year, rows) in sorted(assessments.items()):
        if assessed_year != year or code not in figures_by_ward:
            continue
        data = supported(figures_by_ward[code], bands, loaded[code])
        own = {r["criterion"]: r for r in rows}
        per_criterion, total, all_met = {}, 0, True
        for c in criteria():
            n = c["criterion"]
            row = own.get(n)
            score = row["score"] if row else 0
            met = bool(row) and row["met"] == "Đạt" and score > 0
            checked = data.get(n)
            if checked is None:
                verdict = "no_data"
            else:
                verdict = (
                    "over_scored" if score > checked else "under_scored" if score < checked else "agrees"
                )
            per_criterion[str(n)] = {"self": score, "data": checked, "verdict": verdict}
            total += score if checked is None else checked
            all_met &= met if checked is None else checked > 0
        out[code] = {
            "criteria": per_criterion,
            "total_points_on_data": total,
            "meets_standard_on_data": all_met and total >= min_points,
        }
    return out
