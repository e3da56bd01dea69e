"""The configurable words of the report workbooks (``report.yaml``): issuers, signers, place, threshold."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CONFIG_FILE = Path(__file__).with_name("report.yaml")


@dataclass(frozen=True)
class Edition:
    issuer: tuple[str, ...]
    signers: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ReportConfig:
    place: str
    motto: tuple[str, str]
    district: Edition
    ward: Edition
    small_count_threshold: int

    def edition(self, ward_name: str | None) -> Edition:
        """The district edition, or the ward's with its name filled in."""
        if ward_name is None:
            return self.district
        return Edition(
            issuer=tuple(line.format(ward=ward_name.upper()) for line in self.ward.issuer),
            signers=self.ward.signers,
        )


def _edition(raw: dict) -> Edition:
    return Edition(tuple(raw["issuer"]), tuple(tuple(s) for s in raw["signers"]))


@cache
def load_config(path: Path = CONFIG_FILE) -> ReportConfig:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ReportConfig(
        place=raw["place"],
        motto=tuple(raw["motto"]),
        district=_edition(raw["district"]),
        ward=_edition(raw["ward"]),
        small_count_threshold=int(raw["small_count_threshold"]),
    )
