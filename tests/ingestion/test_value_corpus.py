"""The value corpus (tests/ingestion/corpus/values.csv): what clerks type in the choice, boolean, sex,
HCĐB-group and ward columns of every contract, and what must be stored, or refused.

Each value goes through the reader's own cell parsing (``_parse_cell``, as ``parse_file`` calls it), with
the repository's contracts and seeds. A value Excel would store as a number (``1``) is tried as the
number too. An ``expected`` of ``NULL`` means "stored as no value" and goes through ``_typed_row``, the
step that also decides what counts as blank. A row with an ``xfail`` reason is a realistic spelling the
code or the seeds cannot read yet: kept, marked, and reported, never deleted to make the suite pass."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from ingestion.contract import load_contracts
from ingestion.lookups import load_lookups
from ingestion.parse_file import Period, _parse_cell, _typed_row
from ingestion.values import BadValue

CORPUS = Path(__file__).parent / "corpus" / "values.csv"
FIELDS = ["source", "column", "value", "expected", "xfail", "note"]
NULL = "NULL"
COVERED_TYPES = {"choice", "boolean", "sex", "code_list", "lookup"}
NOT_COVERED_LOOKUPS = {"vaccine"}  # the vaccine names have a corpus of their own
NUMBER_TYPES = {"choice", "boolean", "sex"}  # types whose digits a clerk may have typed as an Excel number
PERIOD = Period("2025-03", dt.date(2025, 3, 1), dt.date(2025, 3, 31))
BOOLEANS = {"true": True, "false": False}

CONTRACTS = load_contracts()


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FIELDS, f"values.csv columns must be {FIELDS}"
        return list(reader)


ROWS = _rows()


def _params():
    for line, row in enumerate(ROWS, start=2):
        marks = [pytest.mark.xfail(reason=row["xfail"], strict=False)] if row["xfail"] else []
        yield pytest.param(row, id=f"{line}:{row['source']}.{row['column']}={row['value']!r}", marks=marks)


def _stored(column, expected: str) -> object:
    return BOOLEANS[expected] if column.type == "boolean" else expected


def _as_typed(value: str, column) -> list[object]:
    """The cell as the reader may hand it over: the text, and for digits in a choice, boolean or sex
    column also the number Excel keeps when the clerk typed the digits into a number cell."""
    forms: list[object] = [value]
    if column.type in NUMBER_TYPES and re.fullmatch(r"\d+", value.strip()):
        forms.append(float(value))
    return forms


@pytest.mark.parametrize("row", _params())
def test_value(row):
    contract = CONTRACTS[row["source"]]
    column = contract.column(row["column"])
    lookups = load_lookups()
    for raw in _as_typed(row["value"], column):
        if row["expected"] == "":
            with pytest.raises(BadValue):
                _parse_cell(column, raw, lookups)
        elif row["expected"] == NULL:
            typed, errors = _typed_row(contract, {column.name: raw}, lookups, PERIOD, {})
            assert [reason for name, reason in errors if name == column.name] == []
            assert typed[column.name] is None
        else:
            assert _parse_cell(column, raw, lookups) == _stored(column, row["expected"]), f"typed as {raw!r}"


def test_corpus_rows_name_real_columns_and_values():
    lookups = load_lookups()
    for line, row in enumerate(ROWS, start=2):
        where = f"values.csv line {line}"
        assert row["source"] in CONTRACTS, f"{where}: no contract {row['source']}"
        names = {c.name for c in CONTRACTS[row["source"]].columns}
        assert row["column"] in names, f"{where}: {row['source']} has no column {row['column']}"
        column = CONTRACTS[row["source"]].column(row["column"])
        assert column.type in COVERED_TYPES and column.lookup not in NOT_COVERED_LOOKUPS, where
        expected = row["expected"]
        if expected in ("", NULL):
            assert expected != NULL or not column.required, f"{where}: a required column cannot store NULL"
            continue
        if column.type == "boolean":
            assert expected in BOOLEANS, where
        elif column.type == "sex":
            assert expected in ("M", "F"), where
        elif column.type == "choice":
            assert expected in {str(code) for code, _ in column.choices}, f"{where}: no code {expected}"
        elif column.type == "code_list":
            letters = expected.split(";")
            assert all(letter in column.codes for letter in letters), where
            assert letters == [c for c in column.codes if c in letters], f"{where}: not in catalogue order"
        else:
            assert expected in set(lookups[column.lookup].mapping.values()), f"{where}: no code {expected}"


def test_corpus_has_no_duplicate_rows():
    counted = Counter((r["source"], r["column"], r["value"]) for r in ROWS)
    assert [key for key, n in counted.items() if n > 1] == []


def test_corpus_covers_every_value_column_of_every_contract():
    present = {(r["source"], r["column"]) for r in ROWS}
    refused = {(r["source"], r["column"]) for r in ROWS if r["expected"] == "" and not r["xfail"]}
    wanted = {
        (contract.source, column.name)
        for contract in CONTRACTS.values()
        for column in contract.columns
        if column.type in COVERED_TYPES and column.lookup not in NOT_COVERED_LOOKUPS
    }
    assert sorted(wanted - present) == [], "add value variants for these columns to values.csv"
    assert sorted(wanted - refused) == [], "each column needs at least one value that must be refused"
