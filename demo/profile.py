"""The simulated district: wards from the dbt seed, demo parameters from profile.yaml."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from base.home import SEEDS_DIR

PROFILE_PATH = Path(__file__).with_name("profile.yaml")
OPEN_END = "9999-12-31"


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    params: dict[str, Any]

    @property
    def upper(self) -> str:
        return self.name.upper()


def load_profile(path: Path = PROFILE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _seed_rows(seeds_dir: Path) -> list[dict[str, str]]:
    with (seeds_dir / "wards.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def wards_on(day: date, profile: dict[str, Any], seeds_dir: Path = SEEDS_DIR) -> list[Ward]:
    """The wards valid on ``day``, ordered by code (parameters only for wards in the profile)."""
    wards: dict[str, Ward] = {}
    for row in _seed_rows(seeds_dir):
        if row["valid_from"] <= day.isoformat() <= row["valid_to"]:
            code = row["ward_code"].zfill(5)
            wards[code] = Ward(code, row["ward_name"], profile["wards"].get(code, {}))
    return [wards[code] for code in sorted(wards)]


def current_wards(year: int, profile: dict[str, Any]) -> list[Ward]:
    wards = wards_on(date(year, 12, 31), profile)
    missing = [w.code for w in wards if not w.params]
    if missing:
        raise ValueError(f"profile.yaml has no parameters for wards {missing}")
    return wards


def successor_codes(seeds_dir: Path = SEEDS_DIR) -> dict[str, str]:
    """Every ward code (old ones included) -> the code of the ward that took it over (itself if none)."""
    return {
        row["ward_code"].zfill(5): (row["successor_code"] or row["ward_code"]).zfill(5)
        for row in _seed_rows(seeds_dir)
    }


def district_code(seeds_dir: Path = SEEDS_DIR) -> str:
    return _seed_rows(seeds_dir)[0]["district_code"]


def old_wards(profile: dict[str, Any]) -> list[Ward]:
    """The 17 wards of 2024 (before the 2025 merger)."""
    return wards_on(date(2024, 12, 31), profile)
