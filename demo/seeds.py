"""The dbt seeds the warehouse reads, read by the ground truth too (one set of rules)."""

from __future__ import annotations

import csv

from base.home import SEEDS_DIR


def read_seed(name: str) -> list[dict[str, str]]:
    """The rows of ``dbt_project/seeds/<name>``."""
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
