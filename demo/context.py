"""What every source builder needs: the simulated population, the wards, seeded random streams."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .names import strip_diacritics
from .population import Population
from .profile import Ward


@dataclass
class Context:
    seed: int
    scale: float
    year: int
    profile: dict[str, Any]
    pop: Population
    wards: list[Ward]
    old_wards: list[Ward]
    cache: dict[str, Any] = field(default_factory=dict)

    def rng(self, *parts: object) -> random.Random:
        """An independent, reproducible random stream for one purpose (e.g. one file)."""
        return random.Random("|".join([str(self.seed), *map(str, parts)]))

    def child(self, i: int, station: bool = False) -> dict[str, Any]:
        """A child's identifying columns; ``station=True`` as a health station writes them: for a share
        of children (``immunization.missing_id_share``) the station never noted the personal ID."""
        pop = self.pop
        return {
            "pid": "" if station and self._station_without_id()[i] else pop.pid(i),
            "name": pop.name(i),
            "birth": pop.born(i),
            "sex": "Nữ" if pop.female[i] else "Nam",
            "_child": i,
        }

    def _station_without_id(self) -> Any:
        if "station_without_id" not in self.cache:
            share = self.profile["immunization"]["missing_id_share"]
            draws = np.random.default_rng([self.seed, 21]).random(len(self.pop))
            self.cache["station_without_id"] = draws < share
        return self.cache["station_without_id"]


def ward_spelling(name: str, style: str, rng: random.Random) -> str:
    """A ward name as offices type it: 'Mộ Lao', 'P. Mộ Lao', 'phường Mộ Lao', 'MO LAO'."""
    if style == "C":
        return rng.choice((strip_diacritics(name).upper(), strip_diacritics(name).upper(), name.upper()))
    return rng.choice(
        (name, name, f"P. {name}", f"phường {name}", f"Phường {name}", strip_diacritics(name).upper())
    )
