"""The simulated children of the district: one numpy column per attribute, one row per child.

Children born from 1 January of ``year - 16`` to 31 December of ``year`` are simulated, so that
every quarterly snapshot of ``year`` holds everyone under 16. Dates are proleptic ordinals
(``date.toordinal()``); the arrays stay small enough for 2 million children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from . import names
from .profile import Ward

EPOCH = date(1970, 1, 1).toordinal()
HCDB_LETTERS: tuple[str, ...] = ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o")
YEARS_SIMULATED = 17  # birth cohorts year-16 .. year


@dataclass
class Population:
    year: int
    wards: list[Ward]
    people_by_ward: list[int]
    birth: np.ndarray  # int32 ordinal
    female: np.ndarray  # int8 0/1
    ward: np.ndarray  # int16 index into wards
    temporary: np.ndarray  # bool: tạm trú
    has_id: np.ndarray  # bool
    serial: np.ndarray  # int32, 6-digit serial of the personal ID
    surname: np.ndarray
    middle: np.ndarray
    given: np.ndarray
    nfd: np.ndarray  # bool: name typed in decomposed Unicode
    mother_surname: np.ndarray
    mother_middle: np.ndarray
    mother_given: np.ndarray
    group: np.ndarray  # int16 tổ dân phố number
    registered: np.ndarray  # int32 ordinal of birth registration in the district, 0 = none
    linked: np.ndarray  # bool: registered through the linked procedure (liên thông)
    card_issue: np.ndarray  # int32 ordinal of BHYT card issue, 0 = no card
    card_short: np.ndarray  # bool: card valid 12 months only, not renewed
    hcdb: dict[int, str] = field(default_factory=dict)  # child index -> "a;d"
    children_by_ward: list[int] = field(default_factory=list)  # under 16 on 31 December of year

    def __len__(self) -> int:
        return len(self.birth)

    def pid(self, i: int) -> str:
        """The 12-digit personal ID, or '' when the child has none."""
        if not self.has_id[i]:
            return ""
        born = date.fromordinal(int(self.birth[i]))
        sex_digit = sex_century_digit(born.year, bool(self.female[i]))
        return f"001{sex_digit}{born.year % 100:02d}{int(self.serial[i]):06d}"

    def name(self, i: int) -> str:
        return names.full_name(
            int(self.surname[i]),
            int(self.middle[i]),
            int(self.given[i]),
            int(self.female[i]),
            bool(self.nfd[i]),
        )

    def mother(self, i: int) -> str:
        return names.full_name(
            int(self.mother_surname[i]), int(self.mother_middle[i]), int(self.mother_given[i]), 1
        )

    def born(self, i: int) -> date:
        return date.fromordinal(int(self.birth[i]))

    def alive_under(self, day: date, years: int) -> np.ndarray:
        """Boolean mask: born on or before ``day`` and younger than ``years`` on ``day``."""
        limit = _years_before(day, years).toordinal()
        return (self.birth <= day.toordinal()) & (self.birth > limit)


def sex_century_digit(year: int, female: bool) -> int:
    """4th digit of the personal ID: 0/1 for 1900-1999, 2/3 for 2000-2099 (male/female) ..."""
    return 2 * (year // 100 - 19) + (1 if female else 0)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def cohort_sizes(ward: Ward, year: int, scale: float, profile: dict[str, Any]) -> list[float]:
    """Expected births per cohort year-16 .. year for one ward."""
    pop = profile["population"]
    births = ward.params["residents"] * scale * pop["crude_birth_rate"] * ward.params["birth_factor"]
    return [births * (1 + pop["cohort_trend"] * (year - y)) for y in range(year - 16, year + 1)]


def simulate(
    wards: list[Ward], year: int, scale: float, profile: dict[str, Any], rng: np.random.Generator
) -> Population:
    pop = profile["population"]
    ward_idx: list[np.ndarray] = []
    births: list[np.ndarray] = []
    for w_i, ward in enumerate(wards):
        for offset, expected in enumerate(cohort_sizes(ward, year, scale, profile)):
            y = year - 16 + offset
            n = max(int(rng.poisson(expected)), 1)
            start, end = date(y, 1, 1).toordinal(), date(y, 12, 31).toordinal()
            # stratified over the year: months hold steady counts, as birth registers show
            spread = (np.arange(n) + rng.random(n)) * ((end - start + 1) / n)
            births.append((start + spread.astype(np.int64)).astype(np.int32))
            ward_idx.append(np.full(n, w_i, dtype=np.int16))
    birth = np.concatenate(births)
    ward = np.concatenate(ward_idx)
    n = len(birth)

    female = (rng.random(n) < 0.48).astype(np.int8)  # sex ratio at birth ~ 1.1
    temporary = rng.random(n) < pop["temporary_resident_share"]
    has_id = ~(temporary & (rng.random(n) < pop["temporary_without_id_share"]))

    # serial: unique within a birth year (so the 12-digit ID is unique)
    serial = np.zeros(n, dtype=np.int32)
    years = _years_of(birth)
    for y in np.unique(years):
        members = np.flatnonzero(years == y)
        serial[members] = rng.choice(999_999, size=len(members), replace=False) + 1

    weights = np.array([w for _, w in names.SURNAMES], dtype=float)
    weights /= weights.sum()
    surname = rng.choice(len(names.SURNAMES), size=n, p=weights).astype(np.int16)
    middle = np.where(
        female == 1, rng.integers(0, len(names.MIDDLE_FEMALE), n), rng.integers(0, len(names.MIDDLE_MALE), n)
    ).astype(np.int16)
    given = np.where(
        female == 1, rng.integers(0, len(names.GIVEN_FEMALE), n), rng.integers(0, len(names.GIVEN_MALE), n)
    ).astype(np.int16)
    nfd = rng.random(n) < pop["nfd_name_share"]
    mother_surname = rng.choice(len(names.SURNAMES), size=n, p=weights).astype(np.int16)
    mother_middle = rng.integers(0, len(names.MIDDLE_FEMALE), n).astype(np.int16)
    mother_given = rng.integers(0, len(names.GIVEN_FEMALE), n).astype(np.int16)

    low, high = pop["residential_groups"]
    groups_per_ward = rng.integers(low, high + 1, size=len(wards))
    group = (rng.random(n) * groups_per_ward[ward]).astype(np.int16) + 1

    lag = np.array([w.params["lag"] for w in wards])[ward]
    registered, linked = _birth_registrations(birth, temporary, has_id, lag, profile, rng)
    card_issue, card_short = _insurance_cards(birth, registered, linked, temporary, has_id, lag, profile, rng)

    population = Population(
        year=year,
        wards=wards,
        people_by_ward=[max(int(round(w.params["residents"] * scale)), 1) for w in wards],
        birth=birth,
        female=female,
        ward=ward,
        temporary=temporary,
        has_id=has_id,
        serial=serial,
        surname=surname,
        middle=middle,
        given=given,
        nfd=nfd,
        mother_surname=mother_surname,
        mother_middle=mother_middle,
        mother_given=mother_given,
        group=group,
        registered=registered,
        linked=linked,
        card_issue=card_issue,
        card_short=card_short,
    )
    population.hcdb = _hcdb_groups(n, pop, rng)
    under16 = population.alive_under(date(year, 12, 31), 16)
    population.children_by_ward = np.bincount(ward[under16], minlength=len(wards)).tolist()
    return population


def add_months_array(ordinals: np.ndarray, months: int) -> np.ndarray:
    """``health.add_months`` over ordinals: the same day ``months`` later, clamped to the month's length
    (31 January + 1 month = 28 February; 29 February + 12 months = 28 February)."""
    days = (ordinals.astype(np.int64) - EPOCH).astype("datetime64[D]")
    month = days.astype("datetime64[M]")
    target = (month + months).astype("datetime64[D]")
    length = ((month + months + 1).astype("datetime64[D]") - target).astype(np.int64)
    day = np.minimum((days - month.astype("datetime64[D]")).astype(np.int64), length - 1)
    return (target - np.datetime64("1970-01-01")).astype(np.int64) + day + EPOCH


def _years_of(ordinals: np.ndarray) -> np.ndarray:
    """Calendar year of each ordinal (vectorised through numpy datetime64)."""
    epoch = date(1970, 1, 1).toordinal()
    days = (ordinals.astype(np.int64) - epoch).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _birth_registrations(
    birth: np.ndarray,
    temporary: np.ndarray,
    has_id: np.ndarray,
    lag: np.ndarray,
    profile: dict[str, Any],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Registration date in the district (permanent residents only) and the linked-procedure flag."""
    conf = profile["birth_registration"]
    n = len(birth)
    on_time = rng.random(n) < conf["on_time_share"] - 0.10 * lag
    delay = np.where(
        on_time, np.minimum(3 + rng.gamma(2.0, 7.0, n), 60), np.minimum(61 + rng.exponential(70.0, n), 500)
    ).astype(np.int32)
    registered = np.where(~temporary & has_id, birth + delay, 0).astype(np.int32)
    month_index = _months_since_start(registered)
    linked_p = conf["linked_share_start"] + conf["linked_share_step"] * month_index - 0.1 * lag
    linked = (registered > 0) & (rng.random(n) < linked_p)
    return registered, linked


def _months_since_start(ordinals: np.ndarray) -> np.ndarray:
    """Month of the year (0-11) of each ordinal; 0 where the ordinal is 0."""
    epoch = date(1970, 1, 1).toordinal()
    safe = np.where(ordinals > 0, ordinals, epoch).astype(np.int64) - epoch
    months = safe.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    return np.where(ordinals > 0, months, 0)


def _insurance_cards(
    birth: np.ndarray,
    registered: np.ndarray,
    linked: np.ndarray,
    temporary: np.ndarray,
    has_id: np.ndarray,
    lag: np.ndarray,
    profile: dict[str, Any],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    conf = profile["health_insurance"]
    n = len(birth)
    missing_p = np.where(temporary, conf["missing_card_temporary"], conf["missing_card_share"] * (1 + lag))
    gets_card = has_id & (rng.random(n) >= missing_p)
    wait = np.where(linked, rng.integers(0, 8, n), rng.integers(5, 91, n))
    base = np.where(registered > 0, registered, birth + rng.integers(20, 120, n))
    card_issue = np.where(gets_card, base + wait, 0).astype(np.int32)
    card_short = gets_card & (rng.random(n) < conf["short_card_share"] * (1 + temporary))
    return card_issue, card_short


def _hcdb_groups(n: int, pop: dict[str, Any], rng: np.random.Generator) -> dict[int, str]:
    letters = list(pop["hcdb_group_weights"])
    weights = np.array([pop["hcdb_group_weights"][x] for x in letters], dtype=float)
    weights /= weights.sum()
    chosen = np.flatnonzero(rng.random(n) < pop["hcdb_share"])
    codes: dict[int, str] = {}
    for i in chosen.tolist():
        k = 2 if rng.random() < pop["hcdb_second_group_share"] else 1
        picked = set(rng.choice(len(letters), size=k, replace=False, p=weights).tolist())
        ordered = sorted((letters[j] for j in picked), key=HCDB_LETTERS.index)
        codes[i] = ";".join(ordered)
    return codes
