"""Source contracts: one declarative YAML file per source, read into plain dataclasses.

What several sources share is written once in ``contracts/_shared.yaml``: columns (a contract
column ``{use: child_id}`` takes that definition and may override any key of it), period patterns
(``period: [month, year]`` names them) and the default way to find a file's ward."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

from ingestion.text import fold, nfc

CONTRACTS_DIR = Path(__file__).parent / "contracts"
COLUMN_TYPES = {
    "text",
    "name",
    "code",
    "date",
    "integer",
    "sex",
    "personal_id",
    "lookup",
    "choice",
    "boolean",
    "code_list",
}
PERIOD_GRAINS = {"month", "quarter", "year"}
DEFAULT_BOOLEAN = {
    True: ("có", "x", "đạt", "rồi", "yes", "true", "1"),
    False: ("không", "chưa", "no", "false", "0"),
}


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
    allowed: tuple[int, ...] = ()
    pattern: re.Pattern | None = None
    pattern_vi: str | None = None
    choices: tuple[tuple[object, tuple[str, ...]], ...] = ()  # (stored value, what people type)
    codes: tuple[str, ...] = ()
    # values as typed (folded) -> the stored value, confirmed by a data engineer (ingestion/mappings.py)
    learned_values: tuple[tuple[str, object], ...] = ()

    @cached_property
    def learned_map(self) -> dict[str, object]:
        return dict(self.learned_values)

    @cached_property
    def choice_map(self) -> dict[str, object]:
        return {fold(typed): value for value, spellings in self.choices for typed in spellings}


@dataclass(frozen=True)
class RowRule:
    rule: str
    column: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodPattern:
    """How a file names its period: a grain and regexes over the folded title cells and the file name.
    Groups: ``year`` always, ``month`` for a month, ``quarter`` (1-4 or I-IV) for a quarter."""

    grain: str
    title: re.Pattern | None
    filename: re.Pattern | None


@dataclass(frozen=True)
class Contract:
    source: str
    name_vi: str
    sender_vi: str
    raw_table: str
    sheets: tuple[str, ...]
    periods: tuple[PeriodPattern, ...]
    ward_scope: str  # 'ward': one file per ward; 'district': one file for the whole district
    ward_title_pattern: re.Pattern | None
    ward_filename_pattern: re.Pattern | None
    ward_column: str | None
    max_bad_row_share: float
    bad_share_min_rows: int  # below this many data rows a share says little: bad rows are only rejected
    # a correction with fewer good rows than this share of the version it replaces is held
    min_correction_share: float
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...]
    duplicate_key: tuple[str, ...]
    duplicate_hint_vi: str | None = None  # added to the duplicate reason: how to tell two real rows apart

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def holds_correction(self, rows: int, rows_in_force: int) -> bool:
        """A file with ``rows`` good rows would replace one of ``rows_in_force``: held when far fewer."""
        return rows < self.min_correction_share * rows_in_force


def _pattern(text: str | None) -> re.Pattern | None:
    return re.compile(text, re.IGNORECASE) if text else None


_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def _choices(spec: dict) -> tuple[tuple[object, tuple[str, ...]], ...]:
    if spec["type"] == "boolean":
        given = spec.get("values", {})
        return tuple(
            (value, tuple(given.get(str(value).lower(), defaults)))
            for value, defaults in DEFAULT_BOOLEAN.items()
        )
    return tuple((code, tuple(spellings)) for code, spellings in spec.get("values", {}).items())


def _column(spec: dict, source: str) -> Column:
    if spec["type"] not in COLUMN_TYPES:
        raise ValueError(f"{source}: column {spec['name']} has unknown type {spec['type']}")
    if spec["type"] == "choice" and not spec.get("values"):
        raise ValueError(f"{source}: choice column {spec['name']} lists no values")
    return Column(
        name=spec["name"],
        type=spec["type"],
        label_vi=spec.get("label_vi", spec["name"]),
        aliases=tuple(spec.get("aliases", ())),
        required=spec.get("required", True),
        lookup=spec.get("lookup"),
        min=spec.get("min"),
        max=spec.get("max"),
        allowed=tuple(spec.get("allowed", ())),
        pattern=re.compile(spec["pattern"]) if spec.get("pattern") else None,
        pattern_vi=spec.get("pattern_vi"),
        choices=_choices(spec),
        codes=tuple(nfc(c).lower() for c in spec.get("codes", ())),
    )


def _period_patterns(period: dict | list | str, shared: dict[str, dict]) -> tuple[PeriodPattern, ...]:
    patterns = []
    for spec in period if isinstance(period, list) else [period]:
        if isinstance(spec, str):
            spec = shared[spec]
        if spec.get("grain", "month") not in PERIOD_GRAINS:
            raise ValueError(f"unknown period grain {spec['grain']}")
        patterns.append(
            PeriodPattern(
                spec.get("grain", "month"), _pattern(spec.get("title")), _pattern(spec.get("filename"))
            )
        )
    return tuple(patterns)


def parse_contract(data: dict, shared: dict | None = None) -> Contract:
    shared = shared or {}
    shared_columns = {c["name"]: c for c in shared.get("columns", ())}
    specs = []
    for spec in data["columns"]:
        if "use" in spec:
            base = dict(shared_columns[spec["use"]])
            base.update({k: v for k, v in spec.items() if k != "use"})
            spec = base
        specs.append(spec)
    names = [data["source"], data["raw_table"], *(s["name"] for s in specs)]
    bad = [n for n in names if not _IDENTIFIER.match(n)]
    if bad:
        raise ValueError(f"contract names must be lower-case identifiers: {bad}")
    columns = tuple(_column(s, data["source"]) for s in specs)
    known = {c.name for c in columns}
    rules = tuple(
        RowRule(
            rule=r["rule"],
            column=r["column"],
            params={k: v for k, v in r.items() if k not in ("rule", "column")},
        )
        for r in data.get("row_rules", ())
    )
    unknown = [r.column for r in rules if r.column not in known] + [
        k for k in data.get("duplicate_key", ()) if k not in known
    ]
    if unknown:
        raise ValueError(f"{data['source']}: rules or keys name unknown columns {unknown}")
    ward = {**shared.get("ward", {}), **data.get("ward", {})}
    scope = ward.get("scope", "ward")
    if scope not in ("ward", "district"):
        raise ValueError(f"{data['source']}: ward scope must be 'ward' or 'district'")
    return Contract(
        source=data["source"],
        name_vi=data["name_vi"],
        sender_vi=data.get("sender_vi", ""),
        raw_table=data["raw_table"],
        sheets=tuple(data.get("sheets", ())),
        periods=_period_patterns(data["period"], shared.get("periods", {})),
        ward_scope=scope,
        ward_title_pattern=_pattern(ward.get("title_pattern")),
        ward_filename_pattern=_pattern(ward.get("filename_pattern")),
        ward_column=ward.get("column"),
        max_bad_row_share=float(data.get("max_bad_row_share", 0.5)),
        bad_share_min_rows=int(data.get("bad_share_min_rows", 10)),
        min_correction_share=float(data.get("min_correction_share", 0.5)),
        columns=columns,
        row_rules=rules,
        duplicate_key=tuple(data.get("duplicate_key", ())),
        duplicate_hint_vi=data.get("duplicate_hint_vi"),
    )


def _read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """Every source contract in ``directory``, keyed by source name (the inbox folder).
    Files whose name starts with '_' hold what contracts share, not a contract."""
    shared_file = directory / "_shared.yaml"
    shared = _read_yaml(shared_file) if shared_file.exists() else {}
    contracts = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        contract = parse_contract(_read_yaml(path), shared)
        contracts[contract.source] = contract
    return contracts
