"""The indicators' ground truth: every indicator of ``dbt_project/seeds/indicators.csv`` for the
extract year and each of its quarters, per ward and for the district, as a perfect warehouse computes
it from the extracts: from the good rows only (neither spoiled by the messy mode nor in a faulty
file), every row linked to its child. Parameters, the fully-immunised list and the vitamin A rounds
are read from the dbt seeds the warehouse reads.

Doses count as the warehouse counts them: for the schedule items their product's antigens fill, numbered
on each child's history (``schedule_truth``), not as the station wrote them.

The big sources (register snapshots, BHYT lists, doses) are not read back row by row: the truth takes
the builders' own selections (``registers.in_register``, ``registers.on_card_list``, the dose columns
``health.immunization_rows`` keeps) and removes the children of spoiled rows (a duplicate's original
stays good) and of faulty files. The other sources are read from their good rows.

Conventions (the generator's):

* the register of a ward on day D = its latest readable quarterly snapshot whose quarter ends on or
  before D (none before the first quarter end of the year);
* a child is k months old from ``add_months(birth, k)`` on (31 Jan + 1 month = 28 Feb), so the first
  birthday of a child born on 29 February is 28 February. Ages are taken on a quarter's last day or a
  round's first day, where this agrees with counting full calendar months;
* the birth date, personal ID and HCĐB groups of a good register row are the simulated child's;
* 2024 injury events count for the ward that took their ward over (``successor_code``, wards.csv);
* report_timeliness: the extracts a ward owes are the rules of ``extract_calendar.csv``; one arrives when
  a file without a file fault was written for it (a faulty file is quarantined), on time when its
  submission day (district time) is on or before ``timing.Period.due``; a ward's rate is its extracts on
  time over its extracts owed.
"""

from __future__ import annotations

from datetime import date
from operator import itemgetter
from typing import Any

import numpy as np

from . import timing
from .context import Context
from .health import DOSE_INDEX, SCHEDULE, add_months
from .population import add_months_array
from .profile import district_code, successor_codes
from .registers import card_validity, in_register, on_card_list
from .schedule_truth import carried_items, schedule_doses, schedule_items
from .seeds import read_seed
from .workbook import Extract

DTP = "DTP_HEPB_HIB"
Parts = dict[str, np.ndarray]  # numerator / denominator (or deaths / baseline_<year>): a count per ward


def _ints(rows: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.fromiter(map(itemgetter(key), rows), np.int64, len(rows))


def _days(rows: list[dict[str, Any]], key: str) -> np.ndarray:
    return np.fromiter(map(date.toordinal, map(itemgetter(key), rows)), np.int64, len(rows))


def _month_key(days: np.ndarray) -> np.ndarray:
    """12 * year + month - 1 of each ordinal."""
    return ((days - date(1970, 1, 1).toordinal()).astype("datetime64[D]").astype("datetime64[M]")).astype(
        np.int64
    ) + 12 * 1970


class IndicatorFacts:
    """What the indicators need from each written file (wards are the files' wards; days ordinals)."""

    def __init__(self) -> None:
        # readable files of the big sources -> children (or dose keys) of their spoiled rows
        self.registers: dict[tuple[str, int], np.ndarray] = {}  # (ward, quarter end)
        self.card_lists: dict[int, np.ndarray] = {}  # month end
        self.dose_files: dict[tuple[str, int], np.ndarray] = {}  # (ward, month key): child * 100 + dose
        self.vitamin_a: list[np.ndarray] = [np.zeros((0, 2), np.int64)]  # rows (child, day)
        self.supports: list[np.ndarray] = [np.zeros((0, 2), np.int64)]  # rows (child, day)
        self.births: list[tuple[str, int, int, bool]] = []  # ward, birth, registered, linked
        self.cases: list[tuple[str, int, int | None]] = []  # ward, reported, intervened
        self.injuries: list[tuple[str, int, bool]] = []  # ward, day, fatal
        self.assessments: dict[str, tuple[int, list[dict[str, Any]]]] = {}  # ward -> latest (year, rows)
        # (source, ward, period) -> submission days (district time) of its readable files
        self.submitted: dict[tuple[str, str, str], list[date]] = {}

    def add(self, ex: Extract, period: timing.Period) -> None:
        if ex.fault:
            return
        ward, end = ex.ward_code or "", period.end.toordinal()
        self.submitted.setdefault((ex.source, ward, period.code), []).append(ex.submitted.date())
        if ex.source in ("child_register", "health_insurance", "immunization"):
            spoiled = (
                [r for r, b in zip(ex.rows, ex.bad, strict=True) if b and b != "duplicate"]
                if any(ex.bad)
                else []
            )
            if ex.source == "child_register":
                self.registers[(ward, end)] = _ints(spoiled, "_child")
            elif ex.source == "health_insurance":
                self.card_lists[end] = _ints(spoiled, "_child")
            else:
                keys = [r["_child"] * 100 + DOSE_INDEX[(r["_code"], r["dose"])] for r in spoiled]
                month = 12 * period.end.year + period.end.month - 1
                self.dose_files[(ward, month)] = np.array(keys, np.int64)
            return
        good = ex.rows if not any(ex.bad) else [r for r, b in zip(ex.rows, ex.bad, strict=True) if b is None]
        if ex.source == "vitamin_a":
            self.vitamin_a.append(np.column_stack([_ints(good, "_child"), _days(good, "date")]))
        elif ex.source == "hcdb_support":
            self.supports.append(np.column_stack([_ints(good, "_child"), _days(good, "date")]))
        elif ex.source == "birth_registration":
            self.births += [
                (ward, r["birth"].toordinal(), r["reg_date"].toordinal(), r["linked"] == "Có") for r in good
            ]
        elif ex.source == "protection_cases":
            self.cases += [
                (ward, r["reported"].toordinal(), r["intervened"] and r["intervened"].toordinal())
                for r in good
            ]
        elif ex.source == "injuries":
            self.injuries += [(ward, r["date"].toordinal(), r["fatal"] == "Có") for r in good]
        elif ex.source == "child_friendly" and period.end.year >= self.assessments.get(ward, (0, []))[0]:
            self.assessments[ward] = (period.end.year, good)


def _number(text: str) -> int | float:
    """A parameter's value: days, months and points are whole numbers (3.5, a z-score threshold, is not)."""
    value = float(text)
    return int(value) if value.is_integer() else value


class IndicatorTruth:
    """Counts per ward over masks of children (a child's ward is ``pop.ward``) or event columns."""

    def __init__(self, facts: IndicatorFacts, ctx: Context) -> None:
        self.facts, self.pop = facts, ctx.pop
        self.par = {row["parameter"]: _number(row["value"]) for row in read_seed("indicator_parameters.csv")}
        self.index = {w.code: k for k, w in enumerate(ctx.wards)}
        self.birth = ctx.pop.birth.astype(np.int64)
        self.ward = ctx.pop.ward.astype(np.int64)
        self.first_birthday = add_months_array(self.birth, 12)
        self.hcdb = self.mask(np.fromiter(ctx.pop.hcdb, np.int64, len(ctx.pop.hcdb)))
        self.valid_from, self.valid_to = card_validity(ctx.pop)
        self.listed = self.mask(np.zeros(0, np.int64))  # on a readable card list, in a good row
        for end, spoiled in facts.card_lists.items():
            self.listed |= on_card_list(ctx.pop, date.fromordinal(end)) & ~self.mask(spoiled)
        # the good dose rows, then what they count as in the schedule (items and doses on the antigens of
        # each dose's product, numbered on the child's history: demo/schedule_truth.py)
        self.written = self.good_doses(ctx.cache["doses"])
        items = schedule_items()
        carried = carried_items([w.code for w in ctx.wards], items)
        self.doses = schedule_doses(self.written, self.birth, self.ward, carried, items)
        self.full = self.fully_immunised()
        self.vitamin_a = np.concatenate(facts.vitamin_a)
        self.supports = np.concatenate(facts.supports)
        self.births = self.columns(facts.births, 4)
        self.cases = self.columns(facts.cases, 3)
        successor = successor_codes()
        self.injuries = self.columns([(successor.get(w, w), *rest) for w, *rest in facts.injuries], 3)

    def mask(self, children: np.ndarray) -> np.ndarray:
        mask = np.zeros(len(self.birth), dtype=bool)
        mask[children] = True
        return mask

    def zeros(self) -> np.ndarray:
        return np.zeros(len(self.index), np.int64)

    def count(self, ward: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(ward if where is None else ward[where], minlength=len(self.index))

    def per_ward(self, children: np.ndarray) -> np.ndarray:
        """Counts per ward of a mask over children."""
        return self.count(self.ward, children)

    def part(self, numerator: np.ndarray, denominator: np.ndarray) -> Parts:
        """A mask over children in the denominator, and those of them in the numerator: counts per ward."""
        return {
            "numerator": self.per_ward(numerator & denominator),
            "denominator": self.per_ward(denominator),
        }

    def columns(self, rows: list[tuple[Any, ...]], width: int) -> list[np.ndarray]:
        """Event tuples (ward code, numbers...) as int columns: the ward as its index, None as -1."""
        table = [(self.index[r[0]], *(-1 if v is None else int(v) for v in r[1:])) for r in rows]
        return list(np.array(table, dtype=np.int64).reshape(-1, width).T)

    def good_doses(self, doses: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The doses written in a good row of a readable file."""
        ward = self.ward[doses["child"]]
        readable = np.array([self.index[w] * 100_000 + m for w, m in self.facts.dose_files], np.int64)
        spoiled = np.concatenate([np.zeros(0, np.int64), *self.facts.dose_files.values()])
        keep = np.isin(ward * 100_000 + _month_key(doses["day"]), readable)
        keep &= ~np.isin(doses["child"] * 100 + doses["dose"], spoiled)
        return {name: values[keep] for name, values in doses.items()}

    def register(self, day: date) -> np.ndarray:
        """Mask over children: in their ward's register on ``day``."""
        latest: dict[int, list[int]] = {}  # snapshot day -> the wards whose latest snapshot it is
        spoiled = [np.zeros(0, np.int64)]
        for code, k in self.index.items():
            ends = [end for ward, end in self.facts.registers if ward == code and end <= day.toordinal()]
            if ends:
                latest.setdefault(max(ends), []).append(k)
                spoiled.append(self.facts.registers[(code, max(ends))])
        members = self.mask(np.zeros(0, np.int64))
        for end, wards in latest.items():
            members |= in_register(self.pop, date.fromordinal(end)) & np.isin(self.pop.ward, wards)
        members[np.concatenate(spoiled)] = False
        return members

    def window(self, start: date, end: date) -> dict[str, Parts]:
        s, e = start.toordinal(), end.toordinal()
        members = self.register(end)
        under6 = self.birth > add_months(end, -self.par["under6_age_months"]).toordinal()
        insured = self.listed & (self.valid_from <= e) & (e <= self.valid_to)
        turning_one = (self.first_birthday >= s) & (self.first_birthday <= e)
        day = self.supports[:, 1]
        helped = self.mask(self.supports[(day >= date(end.year, 1, 1).toordinal()) & (day <= e), 0])
        has_id = self.pop.has_id
        out = {
            "bhyt_under6_coverage": self.part(insured, members & under6),
            "fully_immunised_under1": self.part(self.full, members & turning_one),
            "hcdb_supported": self.part(helped, members & self.hcdb),
            "register_id_completeness": self.part(has_id, members),
            "vitamin_a_coverage": self.vitamin_a_coverage(start, end),
            "dtp_dropout": self.dropout(s, e),
            "abuse_timely_intervention": self.timely(s, e),
            "injury_deaths": self.deaths(start, end),
            "child_friendly_ward": self.child_friendly(end.year),
            "report_timeliness": self.report_timeliness(start, end),
        }
        out["birth_reg_on_time"], out["birth_reg_linked"] = self.registrations(s, e)
        return out

    def schedule_dose_counts(self) -> dict[str, int]:
        """Schedule doses per ``<ward>|<YYYY-MM>|<item>|<dose>`` (agg_immunization_ward_months)."""
        codes = [f"{code}|{dose}" for code, dose, *_ in SCHEDULE]
        wards = list(self.index)
        month = _month_key(self.doses["day"])
        keys = np.stack([self.ward[self.doses["child"]], month, self.doses["dose"]], axis=1)
        found, counts = np.unique(keys, axis=0, return_counts=True) if len(keys) else (keys, [])
        return {
            f"{wards[w]}|{m // 12}-{m % 12 + 1:02d}|{codes[d]}": int(n)
            for (w, m, d), n in zip(found.tolist(), counts, strict=True)
        }

    def fully_immunised(self) -> np.ndarray:
        """Mask over children: every dose of the fully-immunised list dated before the first birthday."""
        listed = [
            DOSE_INDEX[(row["vaccine_code"], int(row["dose_number"]))]
            for row in read_seed("vaccine_schedule.csv")
            if row["in_full_immunisation"].strip().lower() == "true"
        ]
        slot = np.full(len(DOSE_INDEX), -1)
        slot[listed] = np.arange(len(listed))
        child, dose, day = self.doses["child"], slot[self.doses["dose"]], self.doses["day"]
        early = (dose >= 0) & (day < self.first_birthday[child])
        taken = np.zeros((len(self.birth), len(listed)), dtype=bool)
        taken[child[early], dose[early]] = True
        return taken.all(axis=1)

    def vitamin_a_coverage(self, start: date, end: date) -> Parts:
        total = {"numerator": self.zeros(), "denominator": self.zeros()}
        for row in read_seed("vitamin_a_rounds.csv"):
            first = date.fromisoformat(row["round_start"])
            if not start <= first <= end:
                continue
            oldest = add_months(first, -self.par["vitamin_a_max_age_months"]).toordinal()
            youngest = add_months(first, -self.par["vitamin_a_min_age_months"]).toordinal()
            aged = (self.birth > oldest) & (self.birth <= youngest)
            day, r = self.vitamin_a[:, 1], first.toordinal()
            dosed = self.mask(self.vitamin_a[(day >= r) & (day <= r + self.par["vitamin_a_window_days"]), 0])
            for name, counts in self.part(dosed, self.register(first) & aged).items():
                total[name] = total[name] + counts
        return total

    def dropout(self, s: int, e: int) -> Parts:
        """DTP dose 1 minus dose 3 given in the window, over dose 1, by the ward of the file (the child's)."""
        given = (self.doses["day"] >= s) & (self.doses["day"] <= e)
        ward = self.ward[self.doses["child"]]
        dtp1 = self.count(ward, given & (self.doses["dose"] == DOSE_INDEX[(DTP, 1)]))
        dtp3 = self.count(ward, given & (self.doses["dose"] == DOSE_INDEX[(DTP, 3)]))
        return {"numerator": dtp1 - dtp3, "denominator": dtp1}

    def registrations(self, s: int, e: int) -> tuple[Parts, Parts]:
        ward, born, registered, linked = self.births
        born_in = (born >= s) & (born <= e)
        on_time = registered - born <= self.par["birth_reg_on_time_days"]
        denominator = self.count(ward, born_in)
        return (
            {"numerator": self.count(ward, born_in & on_time), "denominator": denominator},
            {"numerator": self.count(ward, born_in & (linked == 1)), "denominator": denominator},
        )

    def timely(self, s: int, e: int) -> Parts:
        ward, reported, intervened = self.cases
        quick = (intervened >= 0) & (intervened - reported <= self.par["timely_intervention_days"])
        reported_in = (reported >= s) & (reported <= e)
        return {
            "numerator": self.count(ward, reported_in & quick),
            "denominator": self.count(ward, reported_in),
        }

    def deaths(self, start: date, end: date) -> Parts:
        ward, day, fatal = self.injuries
        before = start.replace(year=start.year - 1).toordinal(), end.replace(year=end.year - 1).toordinal()
        return {
            "deaths": self.count(ward, (fatal == 1) & (day >= start.toordinal()) & (day <= end.toordinal())),
            f"baseline_{start.year - 1}": self.count(
                ward, (fatal == 1) & (day >= before[0]) & (day <= before[1])
            ),
        }

    def child_friendly(self, year: int) -> Parts:
        """Each ward's own latest self-assessment of a year up to ``year``: it meets the standard with
        every criterion (child_friendly_criteria of them) there and met, none at 0, the total at least
        child_friendly_min_points. Once any ward has assessed, every ward counts in the denominator (the
        plan's target is a share of all wards); a ward without an assessment does not meet it."""
        meets = self.zeros()
        assessed = False
        for code, (assessed_year, rows) in self.facts.assessments.items():
            if code in self.index and assessed_year <= year:
                assessed = True
                total = sum(r["score"] for r in rows)
                meets[self.index[code]] = (
                    len({r["criterion"] for r in rows}) == self.par["child_friendly_criteria"]
                    and all(r["met"] == "Đạt" and r["score"] > 0 for r in rows)
                    and total >= self.par["child_friendly_min_points"]
                )
        return {"numerator": meets, "denominator": self.zeros() + 1 if assessed else self.zeros()}

    def loaded_sources(self, year: int) -> dict[str, set[str]]:
        """Per ward, the sources whose extracts owed for periods ending in ``year`` all arrived readable
        (a quarantined file leaves its extract missing; a source owing nothing that year is not
        loaded), and ``<source>@-1`` for those of the year before (owing nothing then is no gap)."""
        rules = [rule for rule in read_seed("extract_calendar.csv") if rule["owed_by"] == "ward"]

        def arrived(code: str, rule: dict[str, str], y: int) -> tuple[bool, bool]:
            owed = _owed(rule, date(y, 1, 1), date(y, 12, 31))
            return bool(owed), all(self.facts.submitted.get((rule["source"], code, p.code)) for p in owed)

        loaded: dict[str, set[str]] = {}
        for code in self.index:
            loaded[code] = set()
            for rule in rules:
                owed, complete = arrived(code, rule, year)
                if owed and complete:
                    loaded[code].add(rule["source"])
                if arrived(code, rule, year - 1)[1]:
                    loaded[code].add(f"{rule['source']}@-1")
        return loaded

    def report_timeliness(self, start: date, end: date) -> Parts:
        """The extracts each ward owes (extract_calendar.csv, owed_by ward) for periods ending in
        [start, end]; numerator: those that arrived in a readable file submitted on or before the
        period's due day."""
        owed = [
            (rule["source"], period)
            for rule in read_seed("extract_calendar.csv")
            for period in _owed(rule, start, end)
        ]
        numerator, denominator = self.zeros(), self.zeros()
        for code, k in self.index.items():
            denominator[k] = len(owed)
            numerator[k] = sum(
                min(self.facts.submitted.get((source, code, period.code)) or [date.max]) <= period.due
                for source, period in owed
            )
        return {"numerator": numerator, "denominator": denominator}


def _owed(rule: dict[str, str], start: date, end: date) -> list[timing.Period]:
    """The periods of a ward's extract_calendar rule that end in [start, end]."""
    if rule["owed_by"] != "ward":
        return []
    years = range(start.year, end.year + 1)
    periods = {
        "month": [timing.month(y, m) for y in years for m in range(1, 13)],
        "quarter": [timing.quarter(y, q) for y in years for q in range(1, 5)],
        "year": [timing.whole_year(y) for y in years],
    }[rule["period_type"]]
    months = {int(m) for m in rule["months"].split(";") if m.strip()}
    obliged = date.fromisoformat(rule["obliged_from"]), date.fromisoformat(rule["obliged_to"])
    return [
        p
        for p in periods
        if start <= p.end <= end
        and obliged[0] <= p.start
        and p.end <= obliged[1]
        and (not months or p.end.month in months)
    ]


def indicators(facts: IndicatorFacts, ctx: Context) -> dict[str, Any]:
    """``{period: {org unit: {indicator: {numerator, denominator}}}}`` for the extract year and its
    quarters; org units are the wards of the year and the district (their sums). injury_deaths holds
    ``{deaths, baseline_<year - 1>}``; child_friendly_ward counts wards."""
    return indicators_and_doses(facts, ctx)[0]


def _per_ward(counts: dict[str, Parts], ctx: Context) -> dict[str, Any]:
    return {
        w.code: {name: {part: int(v[k]) for part, v in parts.items()} for name, parts in counts.items()}
        for k, w in enumerate(ctx.wards)
    }


def ward_figures(truth: IndicatorTruth, ctx: Context, period: timing.Period) -> dict[str, Any]:
    """``{ward: {indicator: {part: count}}}`` of one period."""
    return _per_ward(truth.window(period.start, period.end), ctx)


def indicators_and_doses(
    facts: IndicatorFacts, ctx: Context, truth: IndicatorTruth | None = None
) -> tuple[dict[str, Any], dict[str, int]]:
    """:func:`indicators`, and the schedule doses per ``<ward>|<YYYY-MM>|<item>|<dose>`` (both years);
    ``truth`` built from the same facts, when the caller has one already."""
    truth = truth or IndicatorTruth(facts, ctx)
    result: dict[str, Any] = {}
    for period in [timing.whole_year(ctx.year)] + [timing.quarter(ctx.year, q) for q in range(1, 5)]:
        counts = truth.window(period.start, period.end)
        result[period.code] = _per_ward(counts, ctx)
        result[period.code][district_code()] = {
            name: {part: int(v.sum()) for part, v in parts.items()} for name, parts in counts.items()
        }
    return result, truth.schedule_dose_counts()
