"""Files set aside that a new mapping lets through, put back in the inbox at once; and the rows of loaded
files that were rejected for a value now known (those come back with `treem rebuild`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from base import duckdb_limits
from base.home import Home
from ingestion.contract import Contract, load_contracts
from ingestion.filing import RECORD_SUFFIX
from ingestion.mappings import with_mappings
from ingestion.parse_file import ParsedFile
from ingestion.reading import read_file
from ingestion.release import back_to_inbox
from ingestion.text import fold


@dataclass(frozen=True)
class Unblocked:
    source: str
    file_id: str
    file_name: str
    rows: int  # rows it would load now
    inbox_path: Path | None  # None: a file of that name waits in the inbox already; it stays set aside


def _set_aside(home: Home, source: str) -> list[tuple[Path, dict]]:
    """The quarantined files of a source with their registry notes, except held corrections (those wait
    for `treem release`)."""
    found = []
    for note in sorted((home.quarantine / source).glob(f"*{RECORD_SUFFIX}")):
        stored = note.with_name(note.name[: -len(RECORD_SUFFIX)])
        try:
            record = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if stored.exists() and not record.get("held_against"):
            found.append((stored, record))
    return found


def requeue_unblocked(home: Home) -> list[Unblocked]:
    """Read every quarantined file again with the home's mappings; each that now passes goes back to its
    inbox under its own name (keeping the time it was sent) for the run that follows."""
    unblocked = []
    for source, contract in load_contracts().items():
        read_as = with_mappings(contract, home)
        for stored, record in _set_aside(home, source):
            result = read_file(stored, read_as, record["file_name"])
            if isinstance(result, ParsedFile):
                target = back_to_inbox(home, stored, source, record["file_name"], record["file_id"])
                unblocked.append(
                    Unblocked(source, record["file_id"], record["file_name"], result.rows_loaded, target)
                )
    return unblocked


def rows_rejected_for(home: Home, contract: Contract, column: str, written: str) -> tuple[int, int]:
    """(rows, files) of loaded files rejected for the value ``written`` in ``column`` (of every source
    reading the same catalogue); (0, 0) when the warehouse cannot be read now."""
    spec = contract.column(column)
    labels = {
        (c.source, col.label_vi)
        for c in load_contracts().values()
        for col in c.columns
        if (c.source == contract.source and col.name == column) or (spec.lookup and col.lookup == spec.lookup)
    }
    try:
        con = duckdb_limits.connect(home.warehouse, read_only=True)
    except (duckdb.Error, OSError):
        return 0, 0
    try:
        found = con.execute(
            "select r.source, r.column_name, r.value, r.file_id from raw.row_rejects r "
            "join raw.file_registry f using (file_id) where f.outcome = 'loaded' and f.superseded_by is null"
        ).fetchall()
    except duckdb.Error:
        return 0, 0
    finally:
        con.close()
    hits = [f for s, label, value, f in found if (s, label) in labels and fold(value or "") == fold(written)]
    return len(hits), len(set(hits))
