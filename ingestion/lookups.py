"""Code lookups (ward, vaccine, ...) built from the dbt seeds named in contracts/_lookups.yaml."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml

from base.home import SEEDS_DIR
from ingestion.contract import CONTRACTS_DIR
from ingestion.text import fold

_PUNCTUATION = re.compile(r"[\s\-\u2013_./+()]+")


def _squeeze(key: str) -> str:
    """A folded key without spaces and punctuation: 'combe-five', 'combe five' and 'combefive' are one."""
    return _PUNCTUATION.sub("", key)


@dataclass(frozen=True)
class Lookup:
    name: str
    description_vi: str
    mapping: dict[str, str]
    strip_prefixes: tuple[str, ...]
    successors: dict[str, str]
    names: dict[str, str]
    valid_to: dict[str, str]  # ISO date of the last day of a code's last version
    loose: bool = False  # also compare without spaces and punctuation ('Sởi-Rubella' = 'Sởi Rubella')

    def in_force(self, code: str, day: dt.date) -> str:
        """The code in force on ``day``: a ward merged before that day is its successor."""
        last = self.valid_to.get(code)
        return self.current(code) if last and day.isoformat() > last else code

    def current(self, code: str) -> str:
        """Today's code for ``code`` (a merged ward's successor), else the code itself."""
        return self.successors.get(code) or code

    def display_name(self, code: str) -> str:
        return self.names.get(code, code)

    @cached_property
    def compact_mapping(self) -> dict[str, str]:
        return {key.replace(" ", ""): code for key, code in self.mapping.items()}

    @cached_property
    def loose_mapping(self) -> dict[str, str]:
        """Keys without spaces and punctuation; on a clash the first key of the tables wins, as in mapping."""
        squeezed: dict[str, str] = {}
        for key, code in self.mapping.items():
            squeezed.setdefault(_squeeze(key), code)
        return squeezed

    def _loose(self, key: str) -> str | None:
        return self.loose_mapping.get(_squeeze(key)) if self.loose else None

    def resolve(self, value: object, compact: bool = False) -> str | None:
        """The code for what was typed, or None when it cannot be mapped. ``compact`` also ignores
        spaces, as in file names ('SoTheoDoiTreEm_MoLao_Q1-2025.xlsx')."""
        key = fold(value)
        if key in self.mapping:
            return self.mapping[key]
        if compact and key.replace(" ", "") in self.compact_mapping:
            return self.compact_mapping[key.replace(" ", "")]
        if code := self._loose(key):
            return code
        for prefix in self.strip_prefixes:
            if key.startswith(prefix):
                stripped = key[len(prefix) :].strip(" .")
                if stripped in self.mapping:
                    return self.mapping[stripped]
                if code := self._loose(stripped):
                    return code
        return None


def _pairs(seeds_dir: Path, table: dict | None) -> list[tuple[str, str]]:
    if table is None:
        return []
    with open(seeds_dir / table["seed"], encoding="utf-8", newline="") as handle:
        return [(row[table["key"]], row[table["value"]]) for row in csv.DictReader(handle)]


def _latest(pairs: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for key, value in pairs:
        latest[key] = max(latest.get(key, value), value)
    return latest


@cache
def load_lookups(seeds_dir: Path = SEEDS_DIR) -> dict[str, Lookup]:
    spec = yaml.safe_load((CONTRACTS_DIR / "_lookups.yaml").read_text(encoding="utf-8"))
    lookups = {}
    for name, entry in spec.items():
        mapping: dict[str, str] = {}
        for table in entry["tables"]:
            for key, value in _pairs(seeds_dir, table):
                mapping.setdefault(fold(key), value)
        lookups[name] = Lookup(
            name=name,
            description_vi=entry.get("description_vi", name),
            mapping=mapping,
            strip_prefixes=tuple(sorted(entry.get("strip_prefixes", ()), key=len, reverse=True)),
            successors={k: v for k, v in _pairs(seeds_dir, entry.get("successor")) if v},
            names=dict(_pairs(seeds_dir, entry.get("display"))),
            valid_to=_latest(_pairs(seeds_dir, entry.get("valid_to"))),
            loose=bool(entry.get("loose", False)),
        )
    return lookups
