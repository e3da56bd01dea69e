"""Files an office sends from the dashboard, and where each one stands.

A file is written into its source's inbox at once and whole: first under a hidden partial name the
inbox leaves alone, then renamed. Its modification time is the moment it was sent, which ingestion
takes as its submission time (for timeliness). The name the office gave it is kept for what it tells
(ingestion may read the period and ward from it) but made safe and never used as a path; a file already
waiting under that name is never replaced. Where a sent file stands is read from what ingestion wrote:
still waiting, loaded (and whether a later file of the same period replaced it), or set aside and why."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from base.clock import timestamp
from base.home import Home
from ingestion.contract import Contract
from ingestion.dry_run import DryRun, dry_run
from ingestion.filing import RECORD_SUFFIX
from ingestion.formats import CSV_SUFFIXES, SPREADSHEET_SUFFIXES
from ingestion.receipt import receipt_path
from ingestion.safety import display_name, safe_file_name

WAITING, LOADED, QUARANTINED, HELD, SUPERSEDED = "waiting", "loaded", "quarantined", "held", "superseded"


class NotSendable(ValueError):
    """The file cannot be sent as it is; the message (Vietnamese) says why."""


def file_id(content: bytes) -> str:
    """The id ingestion gives a file: the start of its contents' SHA-256 (the same bytes, the same id)."""
    return hashlib.sha256(content).hexdigest()[:16]


def sent_name(name: str) -> str:
    """The name a sent file gets in the inbox: the office's, made safe, with a suffix the reader opens,
    and never one the inbox leaves alone (Excel's lock files start with '~$')."""
    safe = safe_file_name(display_name(Path(name).name))
    if safe.startswith("~$"):
        safe = "_" + safe[2:]
    if Path(safe).suffix.lower() not in SPREADSHEET_SUFFIXES | CSV_SUFFIXES:
        kinds = ", ".join(sorted(SPREADSHEET_SUFFIXES | CSV_SUFFIXES))
        raise NotSendable(f"Tệp '{safe}' không phải bảng tính hoặc CSV (nhận các đuôi {kinds})")
    return safe


def check_upload(home: Home, contract: Contract, name: str, content: bytes) -> DryRun:
    """The dry run of an uploaded file: written to a private file of the home's (the readers need a
    path), checked as ingestion would read it, and removed."""
    name = sent_name(name)  # the name ingestion will read the period and ward from
    suffix = Path(name).suffix
    folder = home.root / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder, ".check-*")
    path = folder / f".check-{secrets.token_hex(8)}{suffix}"
    try:
        with open(path, "xb") as handle:
            handle.write(content)
        return dry_run(path, contract, home, name)
    finally:
        path.unlink(missing_ok=True)


def _free_names(name: str) -> Iterator[str]:
    """The name, then '(2) name', '(3) name'…: a prefix without '_' keeps every part the contracts read
    a period or ward from (the '_'-separated parts, the period at the end)."""
    yield name
    for attempt in range(2, 1000):
        yield f"({attempt}) {name}"


def deliver(home: Home, source: str, name: str, content: bytes, sent_at: dt.datetime) -> Path:
    """Write ``content`` into the source's inbox as a file sent at ``sent_at`` (naive district local
    time, as the registry keeps times); returns its path. A waiting file is never replaced."""
    inbox = home.source_inbox(source)
    inbox.mkdir(parents=True, exist_ok=True)
    _sweep(inbox, ".*.part")
    final = sent_name(name)
    partial = inbox / f".{secrets.token_hex(8)}.part"  # hidden and partial: the inbox leaves it alone
    try:
        with open(partial, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        stamp = timestamp(sent_at)
        os.utime(partial, (stamp, stamp))
        for candidate in _free_names(final):
            target = inbox / candidate
            try:
                os.link(partial, target)  # fails if the name is taken
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: the check and the rename are not one step
                if target.exists():
                    continue
                os.rename(partial, target)
            return target
        raise NotSendable(f"Đã có quá nhiều tệp tên '{final}' đang chờ nạp")
    finally:
        partial.unlink(missing_ok=True)


def _sweep(folder: Path, pattern: str, older_than: float = 3600) -> None:
    """Remove what a process killed while sending or checking left behind (after an hour)."""
    limit = time.time() - older_than
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


@dataclass(frozen=True)
class Standing:
    """Where a sent file stands: ``state`` is one of WAITING, LOADED, QUARANTINED, HELD (a correction with
    far fewer rows than the file in force, waiting for a data engineer), SUPERSEDED."""

    state: str
    period: str | None = None
    ward_code: str | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None
    reason: str | None = None
    receipt: Path | None = None


def _records(folder: Path, pattern: str) -> list[tuple[Path, dict]]:
    """(stored file, its registry record) for each record matching ``pattern`` under ``folder``."""
    found = []
    for path in folder.glob(pattern):
        try:
            found.append(
                (path.with_name(path.name[: -len(RECORD_SUFFIX)]), json.loads(path.read_text("utf-8")))
            )
        except (OSError, ValueError):
            continue  # being written, or not ingestion's
    return found


def _receipt(stored: Path) -> Path | None:
    receipt = receipt_path(stored)
    return receipt if receipt.exists() else None


def standing(home: Home, source: str, sent_file_id: str) -> Standing:
    """Where the file with id ``sent_file_id`` stands, from the records ingestion keeps beside each file."""
    loaded = _records(home.archive / source, f"*/{sent_file_id}__*{RECORD_SUFFIX}")
    if loaded:
        stored, record = loaded[0]
        later = [
            other
            for _, other in _records(stored.parent, f"*{RECORD_SUFFIX}")
            if other.get("outcome") == "loaded"
            and other.get("ward_code") == record.get("ward_code")
            and other.get("file_id") != sent_file_id
            and str(other.get("processed_at")) > str(record.get("processed_at"))
        ]
        return Standing(
            SUPERSEDED if later else LOADED,
            record.get("period"),
            record.get("ward_code"),
            record.get("rows_loaded"),
            record.get("rows_rejected"),
            receipt=_receipt(stored),
        )
    set_aside = _records(home.quarantine / source, f"{sent_file_id}__*{RECORD_SUFFIX}")
    if set_aside:
        stored, record = set_aside[0]
        return Standing(
            HELD if record.get("held_against") else QUARANTINED,
            record.get("period"),
            record.get("ward_code"),
            reason=record.get("reason"),
            receipt=_receipt(stored),
        )
    return Standing(WAITING)


def in_force(home: Home, source: str, ward_code: str | None, period_key: str) -> dict | None:
    """The registry record of the file in force for the source, ward and period (the latest loaded),
    from the records beside the archived files; None when none was loaded."""
    loaded = [
        record
        for _, record in _records(home.archive / source / period_key, f"*{RECORD_SUFFIX}")
        if record.get("outcome") == "loaded" and record.get("ward_code") == ward_code
    ]
    return max(loaded, key=lambda r: str(r.get("processed_at")), default=None)


def replacing(home: Home, contract: Contract, checked: DryRun, sent_id: str) -> tuple[str, str] | None:
    """What sending ``checked`` (file id ``sent_id``) would do to the file in force for its period, as
    ingestion decides it: ('same', …) when it is that very file, ('held', why) for a file ingestion would
    hold or refuse instead of letting it replace that one, ('replaces', what) when it would replace it;
    None when the period has no file yet."""
    if not checked.would_load or checked.period is None:
        return None
    current = in_force(home, contract.source, checked.ward_code, checked.period.key)
    if current is None:
        return None
    received = dt.datetime.fromisoformat(str(current["received_at"]))
    sent = f"tệp '{current['file_name']}' ({current['rows_loaded']} dòng, nhận {received:%H:%M %d/%m/%Y})"
    if current["file_id"] == sent_id:
        return "same", f"Đây đúng là {sent} đang dùng cho kỳ {checked.period.key}: gửi lại không thay đổi gì."
    if not checked.rows_loaded and current["rows_loaded"]:
        return "held", f"Tệp không có dòng hợp lệ nào nên sẽ không thay thế {sent}: sẽ bị cách ly."
    if contract.holds_correction(checked.rows_loaded, current["rows_loaded"]):
        return "held", (
            f"Tệp có {checked.rows_loaded} dòng hợp lệ, chưa bằng {contract.min_correction_share:.0%} "
            f"số dòng của {sent}: sẽ được giữ lại chờ kỹ sư dữ liệu xác nhận, chưa thay thế tệp đang dùng."
        )
    return "replaces", f"Tệp này sẽ thay thế {sent} đang dùng cho kỳ {checked.period.key}."
