"""What every source builder needs: the simulated population, the wards, seeded random streams."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

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

    def child(self, i: int) -> dict[str, Any]:
        pop = self.pop
        return {
            "pid": pop.pid(i),
            "name": pop.name(i),
            "birth": pop.born(i),
            "sex": "Nữ" if pop.female[i] else "Nam",
            "_child": i,
        }


def ward_spelling(name: str, style: str, rng: random.Random) -> str:
    """A ward name as offices type it: 'Mộ Lao', 'P. Mộ Lao', 'phường Mộ Lao', 'MO LAO'."""
    if style == "C":
        return rng.choice((strip_diacritics(name).upper(), strip_diacritics(name).upper(), name.upper()))
    return rng.choice(
        (name, name, f"P. {name}", f"phường {name}", f"Phường {name}", strip_diacritics(name).upper())
    )
