"""Source contracts: one declarative YAML file per source, read into plain dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

from ingestion.text import fold

CONTRACTS_DIR = Path(__file__).parent / "contracts"
COLUMN_TYPES = {"text", "name", "date", "integer", "sex", "personal_id", "lookup"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label_vi: str
    aliases: tuple[str, ...]
    required: bool = True
    lookup: str | None = None
    min: int | None = None
    max: int | None = None

    @cached_property
    def folded_aliases(self) -> frozenset[str]:
        return frozenset(fold(a) for a in (*self.aliases, self.label_vi))


@dataclass(frozen=True)
class RowRule:
    rule: str
    column: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Contract:
    source: str
    name_vi: str
    sender_vi: str
    raw_table: str
    sheets: tuple[str, ...]
    period_grain: str
    period_title_pattern: re.Pattern | None
    period_filename_pattern: re.Pattern | None
    ward_title_pattern: re.Pattern | None
    ward_column: str | None
    max_bad_row_share: float
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...]
    duplicate_key: tuple[str, ...]

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _pattern(text: str | None) -> re.Pattern | None:
    return re.compile(text, re.IGNORECASE) if text else None


_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_contract(data: dict) -> Contract:
    names = [data["source"], data["raw_table"], *(c["name"] for c in data["columns"])]
    bad = [n for n in names if not _IDENTIFIER.match(n)]
    if bad:
        raise ValueError(f"contract names must be lower-case identifiers: {bad}")
    columns = []
    for spec in data["columns"]:
        if spec["type"] not in COLUMN_TYPES:
            raise ValueError(f"{data['source']}: column {spec['name']} has unknown type {spec['type']}")
        columns.append(
            Column(
                name=spec["name"],
                type=spec["type"],
                label_vi=spec.get("label_vi", spec["name"]),
                aliases=tuple(spec.get("aliases", ())),
                required=spec.get("required", True),
                lookup=spec.get("lookup"),
                min=spec.get("min"),
                max=spec.get("max"),
            )
        )
    rules = tuple(
        RowRule(
            rule=r["rule"],
            column=r["column"],
            params={k: v for k, v in r.items() if k not in ("rule", "column")},
        )
        for r in data.get("row_rules", ())
    )
    period = data.get("period", {})
    ward = data.get("ward", {})
    return Contract(
        source=data["source"],
        name_vi=data["name_vi"],
        sender_vi=data.get("sender_vi", ""),
        raw_table=data["raw_table"],
        sheets=tuple(data.get("sheets", ())),
        period_grain=period.get("grain", "month"),
        period_title_pattern=_pattern(period.get("title_pattern")),
        period_filename_pattern=_pattern(period.get("filename_pattern")),
        ward_title_pattern=_pattern(ward.get("title_pattern")),
        ward_column=ward.get("column"),
        max_bad_row_share=float(data.get("max_bad_row_share", 0.5)),
        columns=tuple(columns),
        row_rules=rules,
        duplicate_key=tuple(data.get("duplicate_key", ())),
    )


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every source contract in ``directory``, keyed by source name (the inbox folder)."""
    contracts = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "lookups.yaml":
            continue
        contract = parse_contract(yaml.safe_load(path.read_text(encoding="utf-8")))
        contracts[contract.source] = contract
    return contracts
