"""One commit's worth of files: their rows, rejects and registry rows are gathered in memory and
written in one transaction. The registry's state is read once, so checking a file (seen before?
a correction of which file?) asks nothing of the database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

import duckdb
import pyarrow as pa

BATCH_FILES = 50  # a commit waits for the disk: small monthly files share one
BATCH_ROWS = 100_000  # and a big file is written on its own, so memory stays bounded
REGISTRY_COLUMNS = (
    "file_id",
    "content_hash",
    "source",
    "file_name",
    "size_bytes",
    "received_at",
    "processed_at",
    "outcome",
    "reason",
    "sheet",
    "header_row",
    "ward_code",
    "period",
    "period_start",
    "period_end",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rows_skipped",
    "stored_as",
    "superseded_by",
    "receipt",
    "held_against",
    "released_at",
    "released_by",
    "other_names",
)
REJECT_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("source", pa.string()),
        ("sheet", pa.string()),
        ("row_number", pa.int32()),
        ("column_name", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
    ]
)
VersionKey = tuple[str, str | None, str]  # source, ward (None for a district file), period


class Known(NamedTuple):
    """What the registry knows of a content hash."""

    outcome: str
    stored_as: str
    released_at: dt.datetime | None = None
    released_by: str | None = None
    file_name: str = ""
    other_names: str | None = None


class Version(NamedTuple):
    """The file in force for a source, ward and period."""

    file_id: str
    rows: int
    file_name: str
    received_at: dt.datetime


NAMES_SEPARATOR = " | "


def other_names(before: Known, name: str) -> str | None:
    """The names the same bytes came under before, other than ``name``, in order of arrival."""
    names = [*(before.other_names.split(NAMES_SEPARATOR) if before.other_names else []), before.file_name]
    kept = [n for n in dict.fromkeys(names) if n and n != name]
    return NAMES_SEPARATOR.join(kept) or None


class Batch:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.known: dict[str, Known] = {
            content_hash: Known(*known)
            for content_hash, *known in con.execute(
                "select content_hash, outcome, stored_as, released_at, released_by, file_name, other_names "
                "from raw.file_registry"
            ).fetchall()
        }
        self.known_at_start = set(self.known)
        self.current: dict[VersionKey, Version] = {
            (source, ward, period): Version(*version)
            for source, ward, period, *version in con.execute(
                "select source, ward_code, period, file_id, rows_loaded, file_name, received_at "
                "from raw.file_registry where outcome = 'loaded' and superseded_by is null"
            ).fetchall()
        }
        self._clear()

    def _clear(self) -> None:
        self.tables: dict[str, list[pa.Table]] = defaultdict(list)
        self.rejects: list[tuple] = []
        self.records: list[dict] = []
        self.superseded: list[tuple[str, str]] = []  # (new file, the file it replaces)
        self.retried: list[str] = []  # content hashes whose earlier quarantine row is replaced
        self.rows = 0

    def stored_record(self, content_hash: str) -> dict | None:
        """The registry row of a content hash, as committed."""
        found = self.con.execute(
            "select * from raw.file_registry where content_hash = ?", [content_hash]
        ).fetchall()
        if not found:
            return None
        names = [column[0] for column in self.con.description]
        return dict(zip(names, found[0], strict=True))

    def register(self, record: dict) -> None:
        """Stage a file's registry row (all a quarantined file brings). The same bytes sent before under
        other names keep those names in ``other_names``."""
        digest = record["content_hash"]
        before = self.known.get(digest)
        if before is not None:
            record["other_names"] = other_names(before, record["file_name"])
        self.known[digest] = Known(
            record["outcome"],
            record["stored_as"],
            record.get("released_at"),
            record.get("released_by"),
            record["file_name"],
            record.get("other_names"),
        )
        staged = next((i for i, r in enumerate(self.records) if r["content_hash"] == digest), None)
        if staged is not None:  # the same bad bytes twice in one batch (dropped under two names)
            self.records[staged] = record
            return
        if digest in self.known_at_start:
            self.retried.append(digest)
        self.records.append(record)

    def add_loaded(self, raw_table: str, rows: pa.Table, rejects: list[tuple], record: dict) -> None:
        """Stage a loaded file; it becomes the current version of its source, ward and period."""
        key = (record["source"], record["ward_code"], record["period"])
        earlier = self.current.get(key)
        if earlier:
            self.superseded.append((record["file_id"], earlier.file_id))
        self.current[key] = Version(
            record["file_id"], record["rows_loaded"], record["file_name"], record["received_at"]
        )
        if rows.num_rows:
            self.tables[raw_table].append(rows)
        self.rejects.extend(rejects)
        self.rows += record["rows_read"]
        self.register(record)

    def current_version(self, key: VersionKey) -> Version | None:
        return self.current.get(key)

    def rows_of_current_version(self, key: VersionKey) -> int:
        found = self.current.get(key)
        return found.rows if found else 0

    def full(self) -> bool:
        return len(self.records) >= BATCH_FILES or self.rows >= BATCH_ROWS

    def write(self) -> None:
        """Everything staged, in one transaction; nothing of it if anything fails."""
        con = self.con
        if not self.records:
            return
        con.execute("begin transaction")
        try:
            for raw_table, tables in self.tables.items():
                con.register("incoming_rows", pa.concat_tables(tables))
                con.execute(f"insert into raw.{raw_table} by name select * from incoming_rows")
                con.unregister("incoming_rows")
            if self.rejects:
                con.register(
                    "incoming_rejects",
                    pa.Table.from_pylist(
                        [dict(zip(REJECT_SCHEMA.names, r, strict=True)) for r in self.rejects], REJECT_SCHEMA
                    ),
                )
                con.execute("insert into raw.row_rejects by name select * from incoming_rejects")
                con.unregister("incoming_rejects")
            if self.retried:
                con.execute("delete from raw.file_registry where content_hash in ?", [self.retried])
            names = ", ".join(REGISTRY_COLUMNS)
            marks = ", ".join("?" for _ in REGISTRY_COLUMNS)
            con.executemany(
                f"insert into raw.file_registry ({names}) values ({marks})",
                [[record.get(column) for column in REGISTRY_COLUMNS] for record in self.records],
            )
            if self.superseded:
                con.executemany(
                    "update raw.file_registry set superseded_by = ? where file_id = ?", self.superseded
                )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        self.known_at_start.update(record["content_hash"] for record in self.records)
        self._clear()
