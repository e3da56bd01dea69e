"""What a data engineer confirmed once with `treem contract map`: a header as an office writes it means a
contract column; a value as typed means a known value (a ward, a vaccine, a choice). Asked once, then
remembered: kept in the home (``contracts/mappings.csv``), one row per change with who made it and when
(a later row for the same header or value replaces the earlier one; an empty meaning withdraws it), read
into the contracts every run uses, a rebuild from the archive too."""

from __future__ import annotations

import csv
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from base.clock import local_now
from base.home import Home
from ingestion.contract import Column, Contract, load_contracts
from ingestion.lookups import load_lookups
from ingestion.text import fold, nfc
from ingestion.values import BadValue, parse_sex

FIELDS = ("kind", "source", "column", "written", "meaning", "by", "at")
HEADER, VALUE = "header", "value"


class MappingError(Exception):
    """The mapping cannot be recorded; the message is in Vietnamese."""


@dataclass(frozen=True)
class Mapping:
    kind: str  # HEADER or VALUE
    source: str
    column: str
    written: str  # as the office wrote it
    meaning: str  # for a value: the code or value stored; '' withdraws the mapping
    by: str = ""
    at: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        column = self.column if self.kind == VALUE else ""
        return (self.kind, self.source, column, fold(self.written))


def mappings_file(home: Home) -> Path:
    return home.root / "contracts" / "mappings.csv"


def history(home: Home) -> list[Mapping]:
    """Every change, oldest first."""
    path = mappings_file(home)
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return [Mapping(**{f: row.get(f) or "" for f in FIELDS}) for row in csv.DictReader(handle)]


def in_force(home: Home) -> list[Mapping]:
    """The mappings that hold: the latest change of each header or value, unless it withdrew it."""
    latest: dict[tuple, Mapping] = {}
    for mapping in history(home):
        latest[mapping.key] = mapping
    return [m for m in latest.values() if m.meaning]


def _append(home: Home, mapping: Mapping) -> None:
    path = mappings_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(dataclasses.asdict(mapping))
        handle.flush()
        os.fsync(handle.fileno())


def _contract(source: str) -> Contract:
    contracts = load_contracts()
    if source not in contracts:
        raise MappingError(f"Không có nguồn '{source}'; các nguồn: {', '.join(contracts)}")
    return contracts[source]


def _column(contract: Contract, name: str) -> Column:
    names = [c.name for c in contract.columns]
    if name not in names:
        listed = ", ".join(f"{c.name} ({c.label_vi})" for c in contract.columns)
        raise MappingError(f"Nguồn '{contract.source}' không có cột '{name}'; các cột: {listed}")
    return contract.column(name)


def map_header(home: Home, source: str, written: str, column: str, by: str) -> Mapping:
    """Record that ``written`` (a header as an office writes it) means ``column`` of ``source``."""
    contract = _contract(source)
    _column(contract, column)
    written = nfc(written)
    if not fold(written):
        raise MappingError("Tên cột như đã viết không được để trống")
    mapping = Mapping(HEADER, source, column, written, column, by, local_now().isoformat(timespec="seconds"))
    _append(home, mapping)
    return mapping


def stored_value(column: Column, meaning: str) -> str:
    """The value ``meaning`` stands for in ``column``: a code, or any spelling the column already knows."""
    if column.type == "lookup":
        lookup = load_lookups()[column.lookup]
        code = meaning if meaning in set(lookup.mapping.values()) else lookup.resolve(meaning)
        if code is None:
            raise MappingError(
                f"'{meaning}' không phải {lookup.description_vi} đã biết (ghi mã hoặc tên đã biết)"
            )
        return code
    if column.type in ("choice", "boolean"):
        for value, spellings in column.choices:
            if fold(meaning) in {fold(str(value)), *(fold(s) for s in spellings)}:
                return str(value)
        known = ", ".join(spellings[0] for _, spellings in column.choices)
        raise MappingError(
            f"'{meaning}' không phải giá trị của cột {column.label_vi} (cần một trong: {known})"
        )
    if column.type == "sex":
        try:
            return parse_sex(meaning)
        except BadValue as error:
            raise MappingError(str(error)) from error
    raise MappingError(
        f"Cột {column.label_vi} không có danh mục giá trị để ánh xạ "
        "(chỉ các cột danh mục, lựa chọn, giới tính)"
    )


def map_value(home: Home, source: str, column: str, written: str, meaning: str, by: str) -> Mapping:
    """Record that ``written`` (a value as typed) in ``column`` means ``meaning``. For a column looked up
    in a catalogue (wards, vaccines) it holds for that catalogue in every source."""
    spec = _column(_contract(source), column)
    written = nfc(written)
    if not fold(written):
        raise MappingError("Giá trị như đã viết không được để trống")
    value = stored_value(spec, meaning)
    mapping = Mapping(VALUE, source, column, written, value, by, local_now().isoformat(timespec="seconds"))
    _append(home, mapping)
    return mapping


def _typed(column: Column, stored: str) -> object:
    if column.type == "boolean":
        return stored == "True"
    for value, _ in column.choices:  # choice codes may be numbers in the contract
        if str(value) == stored:
            return value
    return stored


def apply(contract: Contract, mappings: list[Mapping]) -> Contract:
    """The contract with the confirmed headers as examples of their columns and the confirmed values
    in their columns' vocabularies."""
    contracts = load_contracts()
    columns = []
    for column in contract.columns:
        headers = tuple(
            m.written
            for m in mappings
            if m.kind == HEADER and m.source == contract.source and m.column == column.name
        )
        values = tuple(
            (fold(m.written), _typed(column, m.meaning))
            for m in mappings
            if m.kind == VALUE and _same_vocabulary(contracts, m, contract.source, column)
        )
        if headers or values:
            column = dataclasses.replace(
                column, aliases=(*column.aliases, *headers), learned_values=(*column.learned_values, *values)
            )
        columns.append(column)
    return dataclasses.replace(contract, columns=tuple(columns))


def _same_vocabulary(contracts: dict[str, Contract], mapping: Mapping, source: str, column: Column) -> bool:
    if mapping.source == source and mapping.column == column.name:
        return True
    mapped = contracts.get(mapping.source)
    if mapped is None or column.lookup is None or mapping.column not in {c.name for c in mapped.columns}:
        return False
    return mapped.column(mapping.column).lookup == column.lookup


def with_mappings(contract: Contract, home: Home) -> Contract:
    """The contract as this home reads it."""
    mappings = in_force(home)
    return apply(contract, mappings) if mappings else contract


def forget(home: Home, source: str, written: str, column: str | None, by: str) -> Mapping:
    """Withdraw the mapping of ``written`` (a header, or with ``column`` a value); the history keeps it."""
    _contract(source)
    kind = VALUE if column else HEADER
    held = [m for m in in_force(home) if m.key == Mapping(kind, source, column or "", written, "").key]
    if not held:
        raise MappingError(f"Không có ánh xạ nào của '{written}' ở nguồn {source}")
    withdrawn = dataclasses.replace(held[0], meaning="", by=by, at=local_now().isoformat(timespec="seconds"))
    _append(home, withdrawn)
    return withdrawn
