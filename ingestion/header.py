"""Find the header row(s) of a sheet below any title block and map them to contract columns
(by meaning: ingestion/column_match.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingestion.column_match import Candidate, match_columns
from ingestion.contract import Contract
from ingestion.reader import Sheet
from ingestion.text import fold, nfc

MAX_HEADER_SCAN_ROWS = 40
_VALUE_TEXT = re.compile(r"^[\d\s.,/:-]+$")  # a number, a code of digits or a date as typed


@dataclass(frozen=True)
class HeaderMatch:
    sheet: Sheet
    header_row: int  # 0-based index of the first header row
    depth: int  # 1, or 2 for headers across two (merged) rows
    columns: dict[str, int]  # contract column name -> cell index
    headers: dict[int, str]  # cell index -> header as written
    closest: dict[str, tuple[Candidate, ...]]  # unmatched column -> the unmatched headers nearest to it

    @property
    def data_start(self) -> int:
        return self.header_row + self.depth

    def missing(self, contract: Contract) -> list[str]:
        return [c.label_vi for c in contract.required_columns if c.name not in self.columns]


def _texts(row: list[object]) -> list[str]:
    return ["" if value is None else nfc(str(value)) for value in row]


def _holds_data(row: list[object]) -> bool:
    """Two cells or more that no header is (numbers, dates): a data row, even when a value in it
    reads like a header ('Phường Phú La' under 'Phường')."""
    values = sum(
        1
        for value in row
        if (isinstance(value, int | float | date) and not isinstance(value, bool))
        or (isinstance(value, str) and _VALUE_TEXT.match(value.strip()))
    )
    return values >= 2


def _labels(rows: list[list[str]], start: int, depth: int) -> list[tuple[str, ...]]:
    """Candidate labels per cell: the lower header cell, the upper one, both joined."""
    width = max(len(rows[r]) for r in range(start, start + depth))
    labels = []
    for c in range(width):
        parts = [rows[r][c] if c < len(rows[r]) else "" for r in range(start, start + depth)]
        candidates = [p for p in reversed(parts) if p]
        if depth > 1 and all(parts):
            candidates.append(" ".join(parts))
        labels.append(tuple(candidates))
    return labels


def _score(match: HeaderMatch, contract: Contract) -> tuple[int, int, int]:
    required = sum(1 for c in contract.required_columns if c.name in match.columns)
    return (required, len(match.columns), -match.depth)


def find_header(sheets: list[Sheet], contract: Contract) -> HeaderMatch | None:
    """The best header over all sheets (preferring visible sheets, then the contract's
    sheet names: a clerk who hides the original and edits a copy means the copy)."""
    preferred = {fold(name) for name in contract.sheets}
    best: HeaderMatch | None = None
    best_key: tuple = ()
    for sheet in sheets:
        head = sheet.head[: MAX_HEADER_SCAN_ROWS + 1]
        rows = [_texts(row) for row in head]
        data = [_holds_data(row) for row in head]
        for start in range(min(MAX_HEADER_SCAN_ROWS, len(rows))):
            for depth in (1, 2):
                if start + depth > len(rows) or any(data[start : start + depth]):
                    continue
                found = match_columns(contract, _labels(rows, start, depth))
                if not found.columns:
                    continue
                match = HeaderMatch(sheet, start, depth, found.columns, found.headers, found.closest)
                score = _score(match, contract)
                complete = score[0] == len(contract.required_columns)
                key = (complete, sheet.visible, score, fold(sheet.name) in preferred, -start)
                if best is None or key > best_key:
                    best, best_key = match, key
    return best
