"""Load one dropped file into ``raw`` in one transaction, then archive or quarantine it.

Order of work, so that a crash at any point and a rerun end as one clean run would: read and check
the file; in one transaction insert its rows, its rejects and its registry row (and mark the file it
corrects as superseded); write the receipt beside the file's final place; move the file there."""

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

from ingestion.contract import Contract, load_contracts
from ingestion.lookups import load_lookups
from ingestion.parse_file import FileRejected, ParsedFile, parse_file
from ingestion.reader import UnreadableFile
from ingestion.receipt import RECEIPT_SUFFIX, RejectLine, receipt_path, receipt_text
from ingestion.registry import ensure_raw_schema, registered
from ingestion.safety import UnsafeFile, check_file, is_inside, limits_from_env, safe_file_name
from treem.home import Home

log = logging.getLogger(__name__)
ARROW_TYPES = {"date": pa.date32(), "integer": pa.int32(), "boolean": pa.bool_()}
IGNORED_PREFIXES = (".", "~$")  # hidden files and Excel's lock files
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload")
UNKNOWN_SOURCE = "_unknown"


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
    """Regular files waiting in one inbox folder, oldest first (ties by name). Symlinks, folders,
    hidden files, Excel lock files and files still being copied under a temporary name are left alone."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    files = [
        p
        for p in folder.iterdir()
        if not p.name.startswith(IGNORED_PREFIXES)
        and not p.name.endswith(PARTIAL_SUFFIXES)
        and is_inside(p, folder)
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


def _supersede(con: duckdb.DuckDBPyConnection, record: dict) -> str | None:
    """Mark the current version of the same source, ward and period as replaced by this file; return
    its id. Raw keeps every version; downstream reads only those with no ``superseded_by``."""
    earlier = con.execute(
        """
        select file_id from raw.file_registry
        where source = ? and period = ? and ward_code is not distinct from ? and outcome = 'loaded'
          and superseded_by is null and file_id <> ?
        """,
        [record["source"], record["period"], record["ward_code"], record["file_id"]],
    ).fetchall()
    for (file_id,) in earlier:
        con.execute(
            "update raw.file_registry set superseded_by = ? where file_id = ?", [record["file_id"], file_id]
        )
    return earlier[-1][0] if earlier else None


def _rows_of_current_version(con: duckdb.DuckDBPyConnection, source: str, parsed: ParsedFile) -> int:
    found = con.execute(
        """
        select rows_loaded from raw.file_registry
        where source = ? and period = ? and ward_code is not distinct from ? and outcome = 'loaded'
          and superseded_by is null
        """,
        [source, parsed.period.key, parsed.ward_code],
    ).fetchone()
    return found[0] if found else 0


def _forget_quarantined(home: Home, previous: tuple | None, kept: Path) -> None:
    """Remove the copy left in quarantine by an earlier attempt at the same content."""
    if previous is not None and previous[0] == "quarantined" and home.root / previous[1] != kept:
        earlier = home.root / previous[1]
        earlier.unlink(missing_ok=True)
        receipt_path(earlier).unlink(missing_ok=True)


def _write_receipt(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + RECEIPT_SUFFIX + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, receipt_path(target))


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    home: Home,
    record: dict,
    reason: str,
    previous: tuple | None,
    name_vi: str,
) -> FileOutcome:
    target = home.quarantine / record["source"] / f"{record['file_id']}__{safe_file_name(path.name)}"
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
    try:
        _register(con, record)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    _write_receipt(target, receipt_text(record, name_vi, [], None))
    _place(path, target, record["content_hash"])
    _forget_quarantined(home, previous, target)
    return FileOutcome(record["source"], path.name, record["file_id"], "quarantined", reason=reason)


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
        record["supersedes"] = _supersede(con, record)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _first_record(path: Path, source: str) -> dict:
    digest = content_hash(path)
    stat = path.stat()
    return {
        "file_id": digest[:16],
        "content_hash": digest,
        "source": source,
        "file_name": path.name,
        "size_bytes": stat.st_size,
        "received_at": dt.datetime.fromtimestamp(stat.st_mtime),
        "processed_at": dt.datetime.now(),
    }


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, home: Home) -> FileOutcome:
    """Load ``path`` (a file in the source's inbox) exactly once, whatever happened before.

    A file quarantined before is tried again when it is dropped again: a fix to a contract or a seed
    may now let it load."""
    record = _first_record(path, contract.source)
    previous = registered(con, record["content_hash"])
    if previous is not None and previous[0] == "loaded":
        _place(path, home.root / previous[1], record["content_hash"])
        return FileOutcome(contract.source, path.name, record["file_id"], "already_registered")

    try:
        check_file(path, limits_from_env())
        parsed = parse_file(path, contract)
    except (UnsafeFile, UnreadableFile, FileRejected) as error:
        return _quarantine(con, path, home, record, str(error), previous, contract.name_vi)
    except Exception as error:  # a file must never block the inbox: set it aside for an engineer
        log.exception("unexpected error reading %s", path)
        reason = (
            f"Lỗi không mong đợi khi đọc tệp ({type(error).__name__}: {error}); "
            "đã chuyển cho kỹ thuật viên xem nhật ký"
        )
        return _quarantine(con, path, home, record, reason, previous, contract.name_vi)

    replaced = _rows_of_current_version(con, contract.source, parsed)
    if not parsed.rows and replaced:
        reason = (
            "Tệp không có dòng dữ liệu nào (báo cáo 'không có số liệu') nhưng kỳ "
            f"{parsed.period.key} đã có tệp với {replaced} dòng; "
            "tệp trống không được thay thế số liệu đã gửi. "
            "Nếu cần xoá số liệu kỳ này, hãy liên hệ cán bộ tổng hợp"
        )
        return _quarantine(con, path, home, record, reason, previous, contract.name_vi)

    file_id = record["file_id"]
    target = home.archive / contract.source / parsed.period.key / f"{file_id}__{safe_file_name(path.name)}"
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
    rejects = [RejectLine(r.row_number, r.column, r.value, r.reason) for r in parsed.rejects]
    ward_name = load_lookups()["ward"].display_name(parsed.ward_code) if parsed.ward_code else None
    _write_receipt(target, receipt_text(record, contract.name_vi, rejects, ward_name))
    _place(path, target, record["content_hash"])
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


def unknown_source_files(home: Home) -> list[Path]:
    """Files the ingestion cannot place: dropped in the inbox itself or in a folder no contract names."""
    if not home.inbox.is_dir():
        return []
    sources = load_contracts().keys()
    files = pending_files(home.inbox)
    for folder in sorted(home.inbox.iterdir()):
        if folder.is_dir() and not folder.is_symlink() and folder.name not in sources:
            files.extend(pending_files(folder))
    return files


def quarantine_unknown(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    progress: Callable[[FileOutcome], None] | None = None,
    only: set[str] | None = None,
) -> list[FileOutcome]:
    """Set aside, with a reason, every file of an unknown source (or only those named by their path
    relative to the inbox): nothing dropped is silently ignored."""
    folders = ", ".join(f"{source}/" for source in load_contracts())
    outcomes = []
    for path in unknown_source_files(home):
        if only is not None and path.relative_to(home.inbox).as_posix() not in only:
            continue
        record = _first_record(path, UNKNOWN_SOURCE)
        previous = registered(con, record["content_hash"])
        if previous is not None and previous[0] == "loaded":  # these very bytes came in the right folder
            _place(path, home.root / previous[1], record["content_hash"])
            continue
        where = (
            "thư mục gốc của hộp thư đến" if path.parent == home.inbox else f"thư mục '{path.parent.name}/'"
        )
        reason = (
            f"Không rõ tệp thuộc nguồn dữ liệu nào: tệp nằm ở {where}, không phải thư mục của một nguồn. "
            f"Hãy đặt tệp vào đúng thư mục: {folders}"
        )
        outcome = _quarantine(con, path, home, record, reason, previous, "Không rõ nguồn")
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes


def ingest_all(
    con: duckdb.DuckDBPyConnection, home: Home, progress: Callable[[FileOutcome], None] | None = None
) -> list[FileOutcome]:
    """The whole inbox, as one Dagster run does it: files of unknown source first, then each source."""
    contracts = load_contracts()
    ensure_raw_schema(con, list(contracts.values()))
    outcomes = quarantine_unknown(con, home, progress)
    for contract in contracts.values():
        outcomes += ingest_inbox(con, contract, home, progress)
    return outcomes
