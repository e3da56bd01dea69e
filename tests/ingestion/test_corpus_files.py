"""The header corpus itself (tests/ingestion/corpus/headers.csv and header_rows.yaml) is well formed: every
source covered, every expected column a column of that source's contract, indexes inside the rows, and a
layout said to lack required columns lacks exactly those. Whether a matcher agrees is tested elsewhere."""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

from ingestion.contract import load_contracts

CORPUS = Path(__file__).parent / "corpus"
CONTRACTS = load_contracts()
MIN_VARIANTS = 30
NEGATIVE_SHARE = (0.2, 0.35)
MIN_LAYOUTS = 3


def _headers() -> list[dict[str, str]]:
    with (CORPUS / "headers.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["source", "header", "expected", "note"]
        return list(reader)


def _layouts() -> dict[str, list[dict]]:
    return yaml.safe_load((CORPUS / "header_rows.yaml").read_text(encoding="utf-8"))


def test_headers_cover_every_source_with_enough_variants_and_negatives():
    rows = _headers()
    assert {r["source"] for r in rows} == set(CONTRACTS)
    for source in CONTRACTS:
        mine = [r for r in rows if r["source"] == source]
        negatives = sum(1 for r in mine if not r["expected"])
        assert len(mine) >= MIN_VARIANTS, source
        assert NEGATIVE_SHARE[0] <= negatives / len(mine) <= NEGATIVE_SHARE[1], source


def test_headers_name_real_columns_once():
    rows = _headers()
    for line, row in enumerate(rows, start=2):
        names = {c.name for c in CONTRACTS[row["source"]].columns}
        assert row["header"].strip(), f"headers.csv line {line}: empty header"
        assert not row["expected"] or row["expected"] in names, f"headers.csv line {line}: {row['expected']}"
    # the same header (whatever its Unicode form) is listed once per source: one header, one answer
    counted = Counter((r["source"], unicodedata.normalize("NFC", r["header"])) for r in rows)
    assert [key for key, n in counted.items() if n > 1] == []


def test_headers_hold_the_awkward_forms():
    headers = [r["header"] for r in _headers()]
    assert any("\n" in h for h in headers), "a line break inside a cell"
    assert any(unicodedata.normalize("NFC", h) != h for h in headers), "NFD-decomposed text"
    assert any(h.isupper() for h in headers), "upper case"
    assert any(h.isascii() and h.lower() != h for h in headers), "no diacritics"


def test_header_rows_are_consistent_with_the_contracts():
    layouts = _layouts()
    assert set(layouts) == set(CONTRACTS)
    for source, items in layouts.items():
        contract = CONTRACTS[source]
        names = {c.name for c in contract.columns}
        required = {c.name for c in contract.required_columns}
        assert len(items) >= MIN_LAYOUTS, source
        assert any(item.get("missing") for item in items), f"{source}: no layout lacking a required column"
        for item in items:
            where = f"{source} / {item['layout']}"
            rows, expected = item["rows"], item["expected"]
            assert 1 <= len(rows) <= 2 and len({len(r) for r in rows}) == 1, where
            if "numbering_row" in item:
                assert len(item["numbering_row"]) == len(rows[0]), where
            assert set(expected) <= names, f"{where}: {set(expected) - names}"
            assert len(set(expected.values())) == len(expected), f"{where}: one cell for two columns"
            for name, index in expected.items():
                assert 0 <= index < len(rows[0]), f"{where}: {name} index {index}"
                assert any(row[index] for row in rows), f"{where}: {name} points at an empty column"
            missing = set(item.get("missing", ()))
            absent = required - set(expected)
            assert missing == absent, f"{where}: missing must be exactly the absent required columns {absent}"
