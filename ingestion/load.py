"""Load one dropped file into ``raw`` in one transaction, then archive or quarantine it."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.contract import Contract
from ingestion.parse_file import FileRejected, ParsedFile, parse_file
from ingestion.reader import UnreadableFile
from ingestion.registry import registered
from treem.home import Home

ARROW_TYPES = {"date": pa.date32(), "integer": pa.int32()}
IGNORED_PREFIXES = (".", "~$")  # hidden files and Excel's lock files
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class FileOutcome:
    source: str
    file_name: str
    file_id: str
    outcome: str  # 'loaded', 'quarantined', or 'already_registered'
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    reason: str | None = None


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pending_files(folder: Path) -> list[Path]:
    """Files waiting in one inbox folder, oldest first (ties by name)."""
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(IGNORED_PREFIXES) and not p.name.endswith(PARTIAL_SUFFIXES)
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def _place(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        path.unlink()  # the same content is already stored there
    else:
        shutil.move(path, target)


def _write_reason(target: Path, reason: str) -> None:
    target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")


def _rows_table(contract: Contract, file_id: str, parsed: ParsedFile) -> pa.Table:
    arrays = {
        "file_id": pa.array([file_id] * len(parsed.rows), pa.string()),
        "source_row": pa.array([r["source_row"] for r in parsed.rows], pa.int32()),
    }
    for column in contract.columns:
        arrays[column.name] = pa.array(
            [r[column.name] for r in parsed.rows], ARROW_TYPES.get(column.type, pa.string())
        )
    return pa.table(arrays)


def _register(con: duckdb.DuckDBPyConnection, record: dict) -> None:
    names = ", ".join(record)
    marks = ", ".join("?" for _ in record)
    con.execute(f"insert into raw.file_registry ({names}) values ({marks})", list(record.values()))


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, home: Home) -> FileOutcome:
    """Load ``path`` (a file in the source's inbox) exactly once, whatever happened before."""
    digest = content_hash(path)
    file_id = digest[:16]
    previous = registered(con, digest)
    if previous is not None:
        outcome, stored_as, reason = previous
        _place(path, home.root / stored_as)
        if outcome == "quarantined":
            _write_reason(home.root / stored_as, reason)
        return FileOutcome(contract.source, path.name, file_id, "already_registered", reason=reason)

    stat = path.stat()
    record = {
        "file_id": file_id,
        "content_hash": digest,
        "source": contract.source,
        "file_name": path.name,
        "size_bytes": stat.st_size,
        "received_at": dt.datetime.fromtimestamp(stat.st_mtime),
        "processed_at": dt.datetime.now(),
    }
    try:
        parsed = parse_file(path, contract)
    except (UnreadableFile, FileRejected) as error:
        target = home.quarantine / contract.source / f"{file_id}__{path.name}"
        record.update(
            outcome="quarantined",
            reason=str(error),
            rows_read=0,
            rows_loaded=0,
            rows_rejected=0,
            rows_skipped=0,
            stored_as=str(target.relative_to(home.root)),
        )
        _register(con, record)
        _place(path, target)
        _write_reason(target, str(error))
        return FileOutcome(contract.source, path.name, file_id, "quarantined", reason=str(error))

    target = home.archive / contract.source / parsed.period.key / f"{file_id}__{path.name}"
    record.update(
        outcome="loaded",
        reason=None,
        sheet=parsed.sheet,
        header_row=parsed.header_row,
        ward_code=parsed.ward_code,
        period=parsed.period.key,
        period_start=parsed.period.start,
        period_end=parsed.period.end,
        rows_read=parsed.rows_read,
        rows_loaded=len(parsed.rows),
        rows_rejected=parsed.rows_rejected,
        rows_skipped=parsed.rows_skipped,
        stored_as=str(target.relative_to(home.root)),
    )
    con.execute("begin transaction")
    try:
        incoming = _rows_table(contract, file_id, parsed)
        con.register("incoming_rows", incoming)
        con.execute(f"insert into raw.{contract.raw_table} by name select * from incoming_rows")
        con.unregister("incoming_rows")
        if parsed.rejects:
            con.executemany(
                "insert into raw.row_rejects values (?, ?, ?, ?, ?, ?, ?)",
                [
                    (file_id, contract.source, parsed.sheet, r.row_number, r.column, r.value, r.reason)
                    for r in parsed.rejects
                ],
            )
        _register(con, record)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    _place(path, target)
    return FileOutcome(
        contract.source,
        path.name,
        file_id,
        "loaded",
        parsed.rows_read,
        len(parsed.rows),
        parsed.rows_rejected,
        parsed.rows_skipped,
    )


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    home: Home,
    progress: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Every file waiting in the source's inbox folder, one after the other."""
    outcomes = []
    for path in pending_files(home.source_inbox(contract.source)):
        outcome = ingest_file(con, path, contract, home)
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes
