"""Load dropped files into ``raw``, then archive or quarantine each with its receipt.

Order of work, so that a crash at any point and a rerun end as one clean run would: read and check
each file and stage its rows, rejects and registry row (marking the file it corrects as superseded);
write a batch of staged files in one transaction; after the commit, write each receipt beside the
file's final place and move the file there."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.batch import Batch
from ingestion.clock import local_now, local_time
from ingestion.contract import Contract, load_contracts
from ingestion.lookups import load_lookups
from ingestion.parse_file import FileRejected, ParsedFile, Period, identify, parse_file, rejects_summary
from ingestion.reader import UnreadableFile
from ingestion.receipt import RECEIPT_SUFFIX, RejectLine, receipt_path, receipt_text
from ingestion.registry import ensure_raw_schema
from ingestion.safety import UnsafeFile, check_file, is_inside, limits_from_env, safe_file_name
from treem.home import Home

log = logging.getLogger(__name__)
ARROW_TYPES = {"date": pa.date32(), "integer": pa.int64(), "boolean": pa.bool_()}
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
        "file_id": pa.array([file_id] * parsed.rows_loaded, pa.string()),
        "source_row": pa.array(parsed.source_rows, pa.int32()),
    }
    for column in contract.columns:
        arrays[column.name] = pa.array(parsed.columns[column.name], ARROW_TYPES.get(column.type, pa.string()))
    return pa.table(arrays)


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


@dataclass
class _Staged:
    """A file whose rows and registry row are written in the open transaction; what is left to do
    once it commits: write the receipt, move the file to its place."""

    outcome: FileOutcome
    path: Path
    target: Path
    digest: str
    receipt: str | None  # None: the content was registered before, the file only goes to its place
    previous: tuple | None


def _finish(home: Home, staged: _Staged) -> None:
    if staged.receipt is not None:
        _write_receipt(staged.target, staged.receipt)
    _forget_quarantined(home, staged.previous, staged.target)  # while the file waits, a rerun redoes this
    _place(staged.path, staged.target, staged.digest)


def _quarantine(
    batch: Batch,
    path: Path,
    home: Home,
    record: dict,
    failure: ReadFailure,
    previous: tuple | None,
    name_vi: str,
) -> _Staged:
    """Stage a file set aside, with its reason and, when known, the period and ward it is for (so that
    reporting can tell a file that came but was refused from one that never came)."""
    period = failure.period
    target = (
        home.quarantine / record["source"] / f"{record['file_id']}__{safe_file_name(record['file_name'])}"
    )
    record.update(
        outcome="quarantined",
        reason=failure.reason,
        ward_code=failure.ward_code,
        period=period.key if period else None,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        rows_read=0,
        rows_loaded=0,
        rows_rejected=0,
        rows_skipped=0,
        stored_as=str(target.relative_to(home.root)),
    )
    record["receipt"] = receipt_text(record, name_vi, [], None)
    batch.register(record)
    outcome = FileOutcome(
        record["source"], record["file_name"], record["file_id"], "quarantined", reason=failure.reason
    )
    return _Staged(outcome, path, target, record["content_hash"], record["receipt"], previous)


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a name made by an old Windows tool) shown as �."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _claim(path: Path, home: Home, source: str) -> Path | None:
    """Take the file out of the inbox before reading it, so that what is hashed, read and stored are
    the same bytes even if the office drops a new file of the same name meanwhile. A file left in
    processing/ by a crash is already claimed."""
    if path.parent.parent == home.processing:
        return path
    claimed = home.processing / source / f"{time.time_ns()}__{path.name}"
    claimed.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(path, claimed)
    except FileNotFoundError:  # taken by another run meanwhile
        return None
    return claimed


def _original_name(path: Path, home: Home) -> str:
    return path.name.split("__", 1)[1] if path.parent.parent == home.processing else path.name


def _first_record(path: Path, source: str, name: str) -> dict:
    digest = content_hash(path)
    stat = path.stat()
    return {
        "file_id": digest[:16],
        "content_hash": digest,
        "source": source,
        "file_name": display_name(name),
        "size_bytes": stat.st_size,
        "received_at": local_time(stat.st_mtime),
        "processed_at": local_now(),
    }


def _start(path: Path, home: Home, source: str) -> tuple[Path, str, dict] | None:
    """Claim the file and read what identifies it; None when it is gone or cannot be read (it is
    logged and left where it is for the next run, without stopping the others)."""
    claimed = _claim(path, home, source)
    if claimed is None:
        return None
    name = _original_name(claimed, home)
    try:
        return claimed, name, _first_record(claimed, source, name)
    except OSError as error:
        log.warning("cannot read %s: %r; left for the next run", claimed, error)
        return None


def _already_loaded(batch: Batch, path: Path, record: dict, home: Home) -> _Staged | None:
    """The same content was loaded before (under any name): the file only joins its stored copy (and
    the receipt is written again if a crash came between the commit and writing it)."""
    previous = batch.known.get(record["content_hash"])
    if previous is None or previous[0] != "loaded":
        return None
    outcome = FileOutcome(record["source"], record["file_name"], record["file_id"], "already_registered")
    target = home.root / previous[1]
    receipt = None if receipt_path(target).exists() else batch.stored_receipt(record["content_hash"])
    return _Staged(outcome, path, target, record["content_hash"], receipt, None)


@dataclass(frozen=True)
class ReadFailure:
    """Why a file cannot be read or fails its contract: it goes to quarantine with this reason, and with
    the period and ward it is for when its name (or its title block, if read) tells them. Made in worker
    processes: plain picklable values only."""

    reason: str
    period: Period | None = None
    ward_code: str | None = None


def _failure(reason: str, contract: Contract, name: str, title: tuple[str, ...] = ()) -> ReadFailure:
    """The failure, labelled with what the file says it is for; a fault in finding that only loses the
    label, never the file."""
    try:
        period, ward_code = identify(contract, name, title)
    except Exception:
        log.exception("cannot tell the period and ward of %r", name)
        return ReadFailure(reason)
    return ReadFailure(reason, period, ward_code)


def read_file(path: Path, source: str, name: str) -> ParsedFile | ReadFailure:
    """Read and check one claimed file: a function of the file alone, so it can run in a worker process.
    A file that fails is labelled from its name (and its title, if it was read): it is not read again."""
    contract = load_contracts()[source]
    try:
        check_file(path, limits_from_env())
        return parse_file(path, contract, name)
    except (UnsafeFile, UnreadableFile, FileRejected) as error:
        return _failure(str(error), contract, name, error.title if isinstance(error, FileRejected) else ())
    except Exception as error:  # a file must never block the inbox: set it aside for an engineer
        log.exception("unexpected error reading %s", path)
        reason = (
            f"Lỗi không mong đợi khi đọc tệp ({type(error).__name__}: {error}); "
            "đã chuyển cho kỹ thuật viên xem nhật ký"
        )
        return _failure(reason, contract, name)


@dataclass
class _Claimed:
    """A file taken from the inbox, hashed, and being read (here or in a worker process)."""

    path: Path
    name: str
    record: dict
    reading: Future


class _Readers:
    """Reads claimed files ahead, in a pool of worker processes when the waiting files are big enough
    to pay for starting them (``TREEM_INGEST_WORKERS``, default one per core; ``TREEM_INGEST_PARALLEL_MB``,
    default 8), else one by one in this process. Only reading runs in the workers: staging and writing
    stay in this process, the warehouse's one writer. If a worker dies (out of memory, a crash in a
    reader library), the file is read again here and the rest are read here too."""

    AHEAD_BYTES = 256e6  # read ahead at most this much file content (parsed rows wait in memory)

    def __init__(self, files: list[Path]) -> None:
        workers = int(os.environ.get("TREEM_INGEST_WORKERS", os.cpu_count() or 1))
        threshold = float(os.environ.get("TREEM_INGEST_PARALLEL_MB", 8)) * 1e6
        parallel = workers > 1 and len(files) > 1 and sum(map(_size, files)) >= threshold
        self.workers = workers if parallel else 1
        self.pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn")) if parallel else None

    def submit(self, path: Path, source: str, name: str) -> Future:
        if self.pool is not None:
            try:
                return self.pool.submit(read_file, path, source, name)
            except BrokenProcessPool:
                self.close()
        future: Future = Future()
        future.set_result(read_file(path, source, name))
        return future

    def result(self, claimed: _Claimed, source: str) -> ParsedFile | ReadFailure:
        try:
            return claimed.reading.result()
        except Exception as error:  # the worker died or the result could not come back
            log.warning("reading %s in a worker failed (%r); reading it here", claimed.path, error)
            if isinstance(error, BrokenProcessPool):
                self.close()
            return read_file(claimed.path, source, claimed.name)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # taken by another run meanwhile
        return 0


def _claimed_ahead(
    files: list[Path], contract: Contract, home: Home, readers: _Readers
) -> Iterator[_Claimed]:
    """Claim and hash the files in arrival order, keeping a few being read ahead of the one staged
    (two per worker, and no more than AHEAD_BYTES of files)."""
    ahead: deque[_Claimed] = deque()
    for waiting in files:
        started = _start(waiting, home, contract.source)
        if started is None:
            continue
        path, name, record = started
        ahead.append(_Claimed(path, name, record, readers.submit(path, contract.source, name)))
        while len(ahead) > 2 * readers.workers or (
            len(ahead) > 1 and sum(c.record["size_bytes"] for c in ahead) > readers.AHEAD_BYTES
        ):
            yield ahead.popleft()
    yield from ahead


def _stage_file(
    batch: Batch, claimed: _Claimed, contract: Contract, home: Home, readers: _Readers
) -> _Staged:
    """Stage what a claimed file brings, once read and checked. A file quarantined before is tried
    again: a fix to a contract or a seed may now let it load."""
    path, name, record = claimed.path, claimed.name, claimed.record
    done = _already_loaded(batch, path, record, home)
    if done:
        return done
    previous = batch.known.get(record["content_hash"])
    parsed = readers.result(claimed, contract.source)
    if isinstance(parsed, ReadFailure):
        return _quarantine(batch, path, home, record, parsed, previous, contract.name_vi)

    replaced = batch.rows_of_current_version((contract.source, parsed.ward_code, parsed.period.key))
    if not parsed.rows_loaded and replaced:
        if parsed.nil_report:
            what = "Tệp không có dòng dữ liệu nào (báo cáo 'không có số liệu')"
        else:
            what = f"Cả {parsed.rows_rejected} dòng dữ liệu của tệp đều bị lỗi ({rejects_summary(parsed)})"
        reason = (
            f"{what} nhưng kỳ {parsed.period.key} đã có tệp với {replaced} dòng; tệp này không được "
            "thay thế số liệu đã gửi. Nếu cần xoá số liệu kỳ này, hãy liên hệ cán bộ tổng hợp"
        )
        failure = ReadFailure(reason, parsed.period, parsed.ward_code)
        return _quarantine(batch, path, home, record, failure, previous, contract.name_vi)

    file_id = record["file_id"]
    target = home.archive / contract.source / parsed.period.key / f"{file_id}__{safe_file_name(name)}"
    record.update(
        outcome="loaded",
        sheet=parsed.sheet,
        header_row=parsed.header_row,
        ward_code=parsed.ward_code,
        period=parsed.period.key,
        period_start=parsed.period.start,
        period_end=parsed.period.end,
        rows_read=parsed.rows_read,
        rows_loaded=parsed.rows_loaded,
        rows_rejected=parsed.rows_rejected,
        rows_skipped=parsed.rows_skipped,
        stored_as=str(target.relative_to(home.root)),
    )
    rejects = [
        (file_id, contract.source, parsed.sheet, r.row_number, r.column, r.value, r.reason)
        for r in parsed.rejects
    ]
    record["supersedes"] = batch.add_loaded(
        contract.raw_table, _rows_table(contract, file_id, parsed), rejects, record
    )
    ward_name = load_lookups()["ward"].display_name(parsed.ward_code) if parsed.ward_code else None
    lines = [RejectLine(r.row_number, r.column, r.value, r.reason) for r in parsed.rejects]
    record["receipt"] = receipt_text(record, contract.name_vi, lines, ward_name)
    outcome = FileOutcome(
        contract.source,
        record["file_name"],
        file_id,
        "loaded",
        parsed.rows_read,
        parsed.rows_loaded,
        parsed.rows_rejected,
        parsed.rows_skipped,
    )
    return _Staged(outcome, path, target, record["content_hash"], record["receipt"], previous)


def _in_batches(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    files: Iterable,
    stage: Callable[[Batch, object], _Staged | None],
    progress: Callable[[FileOutcome], None] | None,
) -> list[FileOutcome]:
    """Stage files one after the other; write each full batch in one transaction, then write the
    receipts and move the files. A crash loses the open batch only, whose files are still in the
    inbox (or in processing/) for the rerun."""
    outcomes: list[FileOutcome] = []
    batch = Batch(con)
    staged: list[_Staged] = []
    for path in files:
        item = stage(batch, path)
        if item is None:
            continue
        staged.append(item)
        if batch.full():
            _write_and_finish(batch, home, staged, outcomes, progress)
    _write_and_finish(batch, home, staged, outcomes, progress)
    return outcomes


def _write_and_finish(
    batch: Batch,
    home: Home,
    staged: list[_Staged],
    outcomes: list[FileOutcome],
    progress: Callable[[FileOutcome], None] | None,
) -> None:
    batch.write()
    for item in staged:
        _finish(home, item)
        outcomes.append(item.outcome)
        if progress:
            progress(item.outcome)
    staged.clear()


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    home: Home,
    progress: Callable[[FileOutcome], None] | None = None,
    only: set[str] | None = None,
) -> list[FileOutcome]:
    """Every file waiting in the source's inbox folder (or only those named), in arrival order, after
    any file a crashed run left in processing/."""
    waiting = [p for p in pending_files(home.source_inbox(contract.source)) if only is None or p.name in only]
    files = pending_files(home.processing / contract.source) + waiting
    readers = _Readers(files)
    try:
        claimed = _claimed_ahead(files, contract, home, readers)
        stage = partial(_stage_file, contract=contract, home=home, readers=readers)
        return _in_batches(con, home, claimed, stage, progress)
    finally:
        readers.close()


def unknown_source_files(home: Home) -> list[Path]:
    """Files the ingestion cannot place: in the inbox itself, in a folder no contract names, or in a
    subfolder of any folder. Symlinks and hidden or temporary files are left alone, as everywhere."""
    if not home.inbox.is_dir():
        return []
    sources = load_contracts().keys()
    files = []
    for folder, subfolders, _ in os.walk(home.inbox):  # os.walk does not follow symlinked folders
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(IGNORED_PREFIXES))
        here = Path(folder)
        if here.parent != home.inbox or here.name not in sources:
            files.extend(pending_files(here))
    return files


def _stage_unknown(batch: Batch, waiting: Path, home: Home) -> _Staged | None:
    started = _start(waiting, home, UNKNOWN_SOURCE)
    if started is None:
        return None
    path, _, record = started
    done = _already_loaded(batch, path, record, home)  # these very bytes came in the right folder
    if done:
        return done
    folders = ", ".join(f"{source}/" for source in load_contracts())
    where = (
        "thư mục gốc của hộp thư đến"
        if waiting.parent == home.inbox
        else f"thư mục '{display_name(waiting.parent.relative_to(home.inbox).as_posix())}/'"
    )
    reason = (
        f"Không rõ tệp thuộc nguồn dữ liệu nào: tệp nằm ở {where}, không phải thư mục của một nguồn. "
        f"Hãy đặt tệp vào đúng thư mục: {folders}"
    )
    previous = batch.known.get(record["content_hash"])
    return _quarantine(batch, path, home, record, ReadFailure(reason), previous, "Không rõ nguồn")


def quarantine_unknown(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    progress: Callable[[FileOutcome], None] | None = None,
    only: set[str] | None = None,
) -> list[FileOutcome]:
    """Set aside, with a reason, every file of an unknown source (or only those named by their path
    relative to the inbox): nothing dropped is silently ignored."""
    files = [
        p for p in unknown_source_files(home) if only is None or p.relative_to(home.inbox).as_posix() in only
    ]
    return _in_batches(con, home, files, partial(_stage_unknown, home=home), progress)


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
