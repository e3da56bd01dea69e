"""Files an office sends from the dashboard, and where each one stands.

A file is written into its source's inbox at once and whole: first under a hidden partial name the
inbox leaves alone, then renamed. Its modification time is the moment it was sent, which ingestion
takes as its submission time (for timeliness). The name the office gave it is kept for what it tells
(ingestion may read the period and ward from it) but made safe and never used as a path; a file already
waiting under that name is never replaced. Where a sent file stands is read from what ingestion wrote:
still waiting, loaded (and whether a later file of the same period replaced it), or set aside and why."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
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

WAITING, LOADED, QUARANTINED, SUPERSEDED = "waiting", "loaded", "quarantined", "superseded"


class NotSendable(ValueError):
    """The file cannot be sent as it is; the message (Vietnamese) says why."""


def file_id(content: bytes) -> str:
    """The id ingestion gives a file: the start of its contents' SHA-256 (the same bytes, the same id)."""
    return hashlib.sha256(content).hexdigest()[:16]


def sent_name(name: str) -> str:
    """The name a sent file gets in the inbox: the office's, made safe, with a suffix the reader opens."""
    safe = safe_file_name(display_name(Path(name).name))
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
    path = folder / f".check-{secrets.token_hex(8)}{suffix}"
    try:
        with open(path, "xb") as handle:
            handle.write(content)
        return dry_run(path, contract, home, name)
    finally:
        path.unlink(missing_ok=True)


def deliver(home: Home, source: str, name: str, content: bytes, sent_at: dt.datetime) -> Path:
    """Write ``content`` into the source's inbox as a file sent at ``sent_at`` (naive district local
    time, as the registry keeps times); returns its path."""
    inbox = home.source_inbox(source)
    inbox.mkdir(parents=True, exist_ok=True)
    final = sent_name(name)
    partial = inbox / f".{secrets.token_hex(8)}.part"
    with open(partial, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    stamp = timestamp(sent_at)
    os.utime(partial, (stamp, stamp))
    stem, suffix = Path(final).stem, Path(final).suffix
    for attempt in range(1, 1000):
        target = inbox / (final if attempt == 1 else f"{stem} ({attempt}){suffix}")
        try:
            os.link(partial, target)  # fails if the name is taken: a waiting file is never replaced
        except FileExistsError:
            continue
        partial.unlink()
        return target
    partial.unlink()
    raise NotSendable(f"Đã có quá nhiều tệp tên '{final}' đang chờ nạp")


@dataclass(frozen=True)
class Standing:
    """Where a sent file stands: ``state`` is one of WAITING, LOADED, QUARANTINED, SUPERSEDED."""

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
            QUARANTINED,
            record.get("period"),
            record.get("ward_code"),
            reason=record.get("reason"),
            receipt=_receipt(stored),
        )
    return Standing(WAITING)
