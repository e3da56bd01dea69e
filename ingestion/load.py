"""Load one dropped file into ``raw`` in one transaction, then archive or quarantine it."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
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

log = logging.getLogger(__name__)
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


def _place(path: Path, target: Path, digest: str) -> None:
    """Move ``path`` to ``target`` so that a crash at any point leaves a complete copy somewhere."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and content_hash(target) == digest:
        path.unlink()  # stored already (a rerun after a crash, or the same content dropped again)
        return
    try:
        os.replace(path, target)  # atomic on one filesystem
    except OSError:  # the inbox on another filesystem (a network share): copy, then swap in, then delete
        partial = target.with_name(target.name + ".tmp")
        shutil.copy2(path, partial)
        os.replace(partial, target)
        path.unlink()


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
    """Insert the file's registry row, replacing an earlier attempt at the same content (a quarantine)."""
    con.execute("delete from raw.file_registry where content_hash = ?", [record["content_hash"]])
    names = ", ".join(record)
    marks = ", ".join("?" for _ in record)
    con.execute(f"insert into raw.file_registry ({names}) values ({marks})", list(record.values()))


def _forget_quarantined(home: Home, previous: tuple | None, kept: Path) -> None:
    """Remove the copy left in quarantine by an earlier attempt at the same content."""
    if previous is not None and previous[0] == "quarantined" and home.root / previous[1] != kept:
        earlier = home.root / previous[1]
        earlier.unlink(missing_ok=True)
        earlier.with_name(earlier.name + ".reason.txt").unlink(missing_ok=True)


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    contract: Contract,
    home: Home,
    record: dict,
    reason: str,
    previous: tuple | None,
) -> FileOutcome:
    target = home.quarantine / contract.source / f"{record['file_id']}__{path.name}"
    record.update(
        outcome="quarantined",
        reason=reason,
        rows_read=0,
        rows_loaded=0,
        rows_rejected=0,
        rows_skipped=0,
        stored_as=str(target.relative_to(home.root)),
    )
    con.execute("begin transaction")
    _register(con, record)
    con.execute("commit")
    _place(path, target, record["content_hash"])
    _write_reason(target, reason)
    _forget_quarantined(home, previous, target)
    return FileOutcome(contract.source, path.name, record["file_id"], "quarantined", reason=reason)


def _load(con: duckdb.DuckDBPyConnection, contract: Contract, parsed: ParsedFile, record: dict) -> None:
    """Rows, rejects and the registry row of one file, in one transaction: all or nothing."""
    con.execute("begin transaction")
    try:
        con.register("incoming_rows", _rows_table(contract, record["file_id"], parsed))
        con.execute(f"insert into raw.{contract.raw_table} by name select * from incoming_rows")
        con.unregister("incoming_rows")
        if parsed.rejects:
            con.executemany(
                "insert into raw.row_rejects values (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        record["file_id"],
                        contract.source,
                        parsed.sheet,
                        r.row_number,
                        r.column,
                        r.value,
                        r.reason,
                    )
                    for r in parsed.rejects
                ],
            )
        _register(con, record)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, home: Home) -> FileOutcome:
    """Load ``path`` (a file in the source's inbox) exactly once, whatever happened before.

    A file quarantined before is tried again when it is dropped again: a fix to a contract or a seed
    may now let it load."""
    digest = content_hash(path)
    file_id = digest[:16]
    previous = registered(con, digest)
    if previous is not None and previous[0] == "loaded":
        _place(path, home.root / previous[1], digest)
        return FileOutcome(contract.source, path.name, file_id, "already_registered")

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
        return _quarantine(con, path, contract, home, record, str(error), previous)
    except Exception as error:  # a file must never block the inbox: set it aside for an engineer
        log.exception("unexpected error reading %s", path)
        reason = (
            f"Lỗi không mong đợi khi đọc tệp ({type(error).__name__}: {error}); "
            "đã chuyển cho kỹ thuật viên xem nhật ký"
        )
        return _quarantine(con, path, contract, home, record, reason, previous)

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
    _load(con, contract, parsed, record)
    _place(path, target, digest)
    _forget_quarantined(home, previous, target)
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
    only: set[str] | None = None,
) -> list[FileOutcome]:
    """Every file waiting in the source's inbox folder (or only those named), one after the other."""
    outcomes = []
    for path in pending_files(home.source_inbox(contract.source)):
        if only is not None and path.name not in only:
            continue
        outcome = ingest_file(con, path, contract, home)
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes
