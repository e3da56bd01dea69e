"""Load dropped files into ``raw``, then archive or quarantine each with its receipt (reading in
``reading``, where a file ends in ``filing``, which files wait in ``inbox``).

Order of work, so that a crash at any point and a rerun end as one clean run would: read and check
each file and stage its rows, rejects and registry row (marking the file it corrects as superseded);
write a batch of staged files in one transaction; after the commit, write each receipt beside the
file's final place and move the file there."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa

from base.home import Home
from ingestion.batch import Batch, Known
from ingestion.claim import Claimed, changed, claim, claimed_files, done, private_copy, put_back
from ingestion.contract import Contract, load_contracts
from ingestion.filing import place, record_path, write_receipt, write_record
from ingestion.hints import unknown_values_hint
from ingestion.inbox import pending_files, settled, unknown_source_files
from ingestion.lookups import load_lookups
from ingestion.mappings import with_mappings
from ingestion.parse_file import ParsedFile, rejects_summary
from ingestion.reading import Readers, ReadFailure, Reading, labelled_failure, unexpected_failure
from ingestion.receipt import RejectLine, approved_line, receipt_path, receipt_text
from ingestion.registry import ensure_raw_schema
from ingestion.safety import display_name, safe_file_name
from signoff import ledger

log = logging.getLogger(__name__)
ARROW_TYPES = {"date": pa.date32(), "integer": pa.int64(), "boolean": pa.bool_()}
UNKNOWN_SOURCE = "_unknown"


@dataclass(frozen=True)
class FileOutcome:
    source: str
    file_name: str
    file_id: str
    outcome: str  # 'loaded', 'quarantined', 'already_registered', or 'waiting' (it changed while read)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    reason: str | None = None


def _rows_table(contract: Contract, file_id: str, parsed: ParsedFile) -> pa.Table:
    arrays = {
        "file_id": pa.array([file_id] * parsed.rows_loaded, pa.string()),
        "source_row": pa.array(parsed.source_rows, pa.int32()),
    }
    for column in contract.columns:
        arrays[column.name] = pa.array(parsed.columns[column.name], ARROW_TYPES.get(column.type, pa.string()))
    return pa.table(arrays)


def _forget_quarantined(home: Home, previous: Known | None, kept: Path) -> None:
    """Remove the copy left in quarantine by an earlier attempt at the same content, now archived. A copy
    set aside again under another name keeps the earlier one and its receipt: both names were sent."""
    if (
        previous is not None
        and previous.outcome == "quarantined"
        and home.root / previous.stored_as != kept
        and kept.is_relative_to(home.archive)
    ):
        earlier = home.root / previous.stored_as
        for path in (earlier, receipt_path(earlier), record_path(earlier)):
            path.unlink(missing_ok=True)


@dataclass
class _Staged:
    """A file whose rows and registry row are written in the open transaction; what is left to do
    once it commits: write the receipt, move the file to its place."""

    outcome: FileOutcome
    claimed: Claimed
    target: Path | None  # None: it changed while read and waits for the next run
    record: dict | None  # None: the content was registered before, the file only goes to its place
    previous: Known | None


def _finish(home: Home, staged: _Staged) -> None:
    """After the commit: receipt, registry note and file to their place. A failure here leaves the file
    in processing/ for the next run, which finds it registered and finishes the job."""
    claimed = staged.claimed
    if staged.target is None:
        put_back(claimed)
        return
    if staged.record is not None:
        write_receipt(staged.target, staged.record["receipt"])
        write_record(staged.target, staged.record)
    _forget_quarantined(home, staged.previous, staged.target)  # while the file waits, a rerun redoes this
    place(claimed.copy, staged.target, claimed.digest)
    done(claimed)


def _quarantine(
    batch: Batch,
    claimed: Claimed,
    home: Home,
    record: dict,
    failure: ReadFailure,
    previous: Known | None,
    name_vi: str,
    held_against: str | None = None,
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
        held_against=held_against,
    )
    record["receipt"] = receipt_text(record, name_vi, [], None, failure.detail, failure.hint)
    batch.register(record)
    outcome = FileOutcome(
        record["source"], record["file_name"], record["file_id"], "quarantined", reason=failure.reason
    )
    return _Staged(outcome, claimed, target, record, previous)


def _take(path: Path, home: Home, source: str) -> Claimed | None:
    """Claim the file (a file in processing/ is claimed already) and copy it privately, so that what is
    hashed, read and stored are the same bytes even if the office's program still writes to the file or
    drops a new one of the same name. None when it is gone, or cannot be moved or read: it is logged and
    left for the next run, without stopping the others."""
    try:
        if path.parent.parent == home.processing:
            claimed: Path | None = path
        else:
            origin = path.parent.relative_to(home.inbox).as_posix() if source == UNKNOWN_SOURCE else None
            claimed = claim(path, home, source, origin=None if origin == "." else origin)
        if claimed is None:
            return None
        return private_copy(claimed)
    except OSError as error:
        log.warning("cannot take %s: %r; left for the next run", path, error)
        return None


def _first_record(claimed: Claimed, source: str) -> dict:
    return {
        "file_id": claimed.digest[:16],
        "content_hash": claimed.digest,
        "source": source,
        "file_name": display_name(claimed.name),
        "size_bytes": claimed.size,
        "received_at": claimed.received_at,
        "processed_at": claimed.processed_at,
        "released_at": claimed.released_at,
        "released_by": claimed.released_by,
        "origin": claimed.origin,  # not a registry column: the registry note keeps it for a rebuild
        "other_names": None,
    }


def _already_loaded(batch: Batch, claimed: Claimed, record: dict, home: Home) -> _Staged | None:
    """The same content was loaded before (under any name): the file only joins its stored copy (and
    the receipt and registry note are written again if a crash came between the commit and them)."""
    previous = batch.known.get(record["content_hash"])
    if previous is None or previous.outcome != "loaded":
        return None
    outcome = FileOutcome(record["source"], record["file_name"], record["file_id"], "already_registered")
    target = home.root / previous.stored_as
    complete = receipt_path(target).exists() and record_path(target).exists()
    stored = None if complete else batch.stored_record(record["content_hash"])
    return _Staged(outcome, claimed, target, stored, None)


def _waiting(claimed: Claimed, source: str) -> _Staged:
    log.warning("%s changed while it was read; it waits for the next run", claimed.path)
    outcome = FileOutcome(
        source,
        display_name(claimed.name),
        claimed.digest[:16],
        "waiting",
        reason="Tệp thay đổi trong lúc đọc (có thể đang được chép): chờ lần chạy sau",
    )
    return _Staged(outcome, claimed, None, None, None)


def _read_ahead(files: list[Path], contract: Contract, home: Home, readers: Readers) -> Iterator[Reading]:
    """Claim, copy and hash the files in arrival order, keeping a few being read ahead of the one staged
    (two per worker, and no more than AHEAD_BYTES of files)."""
    ahead: deque[Reading] = deque()
    for waiting in files:
        claimed = _take(waiting, home, contract.source)
        if claimed is None:
            continue
        record = _first_record(claimed, contract.source)
        ahead.append(Reading(claimed, record, readers.submit(claimed.copy, contract, claimed.name)))
        while len(ahead) > 2 * readers.workers or (
            len(ahead) > 1 and sum(r.record["size_bytes"] for r in ahead) > readers.AHEAD_BYTES
        ):
            yield ahead.popleft()
    yield from ahead


def _stage_file(batch: Batch, reading: Reading, contract: Contract, home: Home, readers: Readers) -> _Staged:
    """Stage what a claimed file brings, once read and checked; any fault of treem's own sets this one
    file aside and the others go on."""
    claimed, record = reading.claimed, reading.record
    previous = batch.known.get(record["content_hash"])
    try:
        return _stage_read_file(batch, reading, contract, home, readers, previous)
    except Exception as error:
        failure = _failure_labelled(unexpected_failure(error, "kiểm tra và nạp tệp"), contract, claimed.name)
        return _quarantine(batch, claimed, home, record, failure, previous, contract.name_vi)


def _failure_labelled(failure: ReadFailure, contract: Contract, name: str) -> ReadFailure:
    labelled = labelled_failure(failure.reason, contract, name)
    return ReadFailure(labelled.reason, labelled.period, labelled.ward_code, failure.detail)


def _correction_held(
    batch: Batch, parsed: ParsedFile, contract: Contract, claimed: Claimed, released: bool
) -> str | None:
    """The reason to hold a file that would replace the current version of its source, ward and period
    with far fewer good rows (a half-copied or mistaken file looks like that), unless an engineer released
    it; None when it may replace it."""
    earlier = batch.current_version((contract.source, parsed.ward_code, parsed.period.key))
    if earlier is None or released or not contract.holds_correction(parsed.rows_loaded, earlier.rows):
        return None
    return (
        f"Tệp có {parsed.rows_loaded} dòng hợp lệ, chưa bằng {contract.min_correction_share:.0%} số dòng của "
        f"tệp đang dùng cho kỳ {parsed.period.key} ('{earlier.file_name}', mã tệp {earlier.file_id}, nhận "
        f"{earlier.received_at:%d/%m/%Y %H:%M}, {earlier.rows} dòng). Tệp sửa thường không ít dòng như vậy "
        "(có thể tệp chưa chép xong hoặc gửi nhầm), nên tệp được giữ lại và chưa thay thế tệp đang dùng. Nếu "
        f"đúng là bản sửa, kỹ sư dữ liệu cho phép thay thế bằng lệnh: treem release {claimed.digest[:16]}"
    )


def _stage_read_file(
    batch: Batch,
    reading: Reading,
    contract: Contract,
    home: Home,
    readers: Readers,
    previous: Known | None,
) -> _Staged:
    """A file quarantined before is tried again: a fix to a contract or a seed may now let it load."""
    claimed, record = reading.claimed, reading.record
    done_before = _already_loaded(batch, claimed, record, home)
    if done_before:
        return done_before
    parsed = readers.result(reading, contract)
    if changed(claimed):
        return _waiting(claimed, contract.source)
    if previous is not None and previous.released_at is not None:
        record.update(released_at=previous.released_at, released_by=previous.released_by)
    if isinstance(parsed, ReadFailure):
        return _quarantine(batch, claimed, home, record, parsed, previous, contract.name_vi)

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
        return _quarantine(batch, claimed, home, record, failure, previous, contract.name_vi)
    held = _correction_held(batch, parsed, contract, claimed, record["released_at"] is not None)
    if held:
        earlier = batch.current_version((contract.source, parsed.ward_code, parsed.period.key))
        failure = ReadFailure(held, parsed.period, parsed.ward_code)
        return _quarantine(
            batch, claimed, home, record, failure, previous, contract.name_vi, held_against=earlier.file_id
        )

    file_id = record["file_id"]
    target = (
        home.archive
        / contract.source
        / parsed.period.key
        / f"{file_id}__{safe_file_name(record['file_name'])}"
    )
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
        held_against=None,
    )
    rows = _rows_table(contract, file_id, parsed)
    rejects = [
        (file_id, contract.source, parsed.sheet, r.row_number, r.column, r.value, r.reason)
        for r in parsed.rejects
    ]
    earlier = batch.current_version((contract.source, parsed.ward_code, parsed.period.key))
    record["supersedes"] = earlier.file_id if earlier else None
    ward_name = load_lookups()["ward"].display_name(parsed.ward_code) if parsed.ward_code else None
    lines = [RejectLine(r.row_number, r.column, r.value, r.reason) for r in parsed.rejects]
    hint = unknown_values_hint(contract, parsed.unknown_values, load_lookups())
    approved = ledger.covering(home.root, parsed.ward_code, parsed.period.start, parsed.period.end)
    record["receipt"] = receipt_text(
        record, contract.name_vi, lines, ward_name, hint=hint, approved=[approved_line(a) for a in approved]
    )
    batch.add_loaded(contract.raw_table, rows, rejects, record)  # last: nothing after it can fail
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
    return _Staged(outcome, claimed, target, record, previous)


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
        try:
            _finish(home, item)
        except Exception:  # the row is committed: the next run finds it registered and retries
            log.exception("cannot store %s after its commit; the next run retries", item.claimed.path)
        outcomes.append(item.outcome)
        if progress:
            progress(item.outcome)
    staged.clear()


def _taken(files: list[Path], only: set[str] | None, name: Callable[[Path], str]) -> list[Path]:
    return [p for p in files if only is None or name(p) in only]


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    home: Home,
    progress: Callable[[FileOutcome], None] | None = None,
    only: set[str] | None = None,
) -> list[FileOutcome]:
    """Every complete file waiting in the source's inbox folder (or only those named), in arrival order,
    after any file a crashed run left in processing/. A file still being written waits for a later run.
    The contract is read with the mappings a data engineer confirmed for this home."""
    contract = with_mappings(contract, home)
    waiting = _taken(pending_files(home.source_inbox(contract.source)), only, lambda p: p.name)
    files, unsettled = settled(claimed_files(home, contract.source, tidy=True) + waiting)
    readers = Readers(files)
    try:
        reading = _read_ahead(files, contract, home, readers)
        stage = partial(_stage_file, contract=contract, home=home, readers=readers)
        return _in_batches(con, home, reading, stage, progress) + _still_written(contract.source, unsettled)
    finally:
        readers.close()


def _still_written(source: str, files: list[Path]) -> list[FileOutcome]:
    reason = "Tệp vẫn đang thay đổi (đang được chép): chờ lần chạy sau"
    return [FileOutcome(source, display_name(p.name), "", "waiting", reason=reason) for p in files]


def _stage_unknown(batch: Batch, waiting: Path, home: Home) -> _Staged | None:
    claimed = _take(waiting, home, UNKNOWN_SOURCE)
    if claimed is None:
        return None
    record = _first_record(claimed, UNKNOWN_SOURCE)
    done_before = _already_loaded(batch, claimed, record, home)  # these very bytes came in the right folder
    if done_before:
        return done_before
    folders = ", ".join(f"{source}/" for source in load_contracts())
    where = (
        "thư mục gốc của hộp thư đến" if not claimed.origin else f"thư mục '{display_name(claimed.origin)}/'"
    )
    reason = (
        f"Không rõ tệp thuộc nguồn dữ liệu nào: tệp nằm ở {where}, không phải thư mục của một nguồn. "
        f"Hãy đặt tệp vào đúng thư mục: {folders}"
    )
    previous = batch.known.get(record["content_hash"])
    return _quarantine(batch, claimed, home, record, ReadFailure(reason), previous, "Không rõ nguồn")


def quarantine_unknown(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    progress: Callable[[FileOutcome], None] | None = None,
    only: set[str] | None = None,
) -> list[FileOutcome]:
    """Set aside, with a reason, every file of an unknown source (or only those named by their path
    relative to the inbox): nothing dropped is silently ignored."""
    waiting = _taken(unknown_source_files(home), only, lambda p: p.relative_to(home.inbox).as_posix())
    files, unsettled = settled(claimed_files(home, UNKNOWN_SOURCE, tidy=True) + waiting)
    staged = _in_batches(con, home, files, partial(_stage_unknown, home=home), progress)
    return staged + _still_written(UNKNOWN_SOURCE, unsettled)


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
