"""Taking a file out of the inbox to load it: under a bounded name, with the office's name kept beside
it, and read from a private copy so that the bytes hashed, read and stored are the same even if the
office's program is still writing into the file it dropped.

``processing/<source>/`` holds, per claimed file: ``<seq>__<short name>`` (the office's file, moved
there), the hidden ``.<seq>__<short name>.claim.json`` (its original name; for a rebuild, its times)
and, while it is read, the hidden private copy ``.copy.<seq><suffix>``. ``seq`` orders the claims."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from base.clock import local_now, local_time
from base.home import Home
from ingestion.safety import display_name, safe_file_name

CLAIM_SUFFIX = ".claim.json"
COPY_PREFIX = ".copy."  # the copy keeps the file's suffix: the reader goes by it
SHORT_NAME = 80  # UTF-8 bytes of the original name kept in the stored name: far under any file-system limit


@dataclass(frozen=True)
class Claimed:
    """A file taken from the inbox and copied privately, with what identifies it."""

    path: Path  # the office's file, in processing/
    copy: Path  # the private copy: what is read, hashed and stored
    name: str  # the name the office gave it
    stamp: tuple[int, int]  # size and modification time of ``path`` when copied
    digest: str
    size: int
    received_at: dt.datetime
    processed_at: dt.datetime
    released_at: dt.datetime | None  # a rebuild replays a release from a hold (`treem release`)
    released_by: str | None
    origin: str | None  # the inbox folder it came from, when that says why it was set aside


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}{suffix}")


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(data, ensure_ascii=True, default=str), encoding="ascii")
    os.replace(partial, path)


def claim(path: Path, home: Home, source: str, **pinned: object) -> Path | None:
    """Move ``path`` into processing/ under a bounded name, its original name written beside it first;
    None when another run took it meanwhile. ``pinned`` notes more: the inbox folder it came from
    (``origin``), and what a rebuild from the archive must reproduce (received_at, processed_at,
    released_at, released_by)."""
    folder = home.processing / source
    folder.mkdir(parents=True, exist_ok=True)
    claimed = folder / f"{time.time_ns()}__{safe_file_name(display_name(path.name), SHORT_NAME)}"
    _write_json(_sidecar(claimed, CLAIM_SUFFIX), {"name": path.name, **pinned})
    try:
        os.replace(path, claimed)
    except FileNotFoundError:
        _sidecar(claimed, CLAIM_SUFFIX).unlink(missing_ok=True)
        return None
    return claimed


def claimed_files(home: Home, source: str, tidy: bool = False) -> list[Path]:
    """Files a run has claimed but not yet stored (a crash left them, or they changed while read), in
    the order they were claimed. With ``tidy`` (only the warehouse's writer, between runs), claim notes
    left without their file and private copies a crash left are removed."""
    folder = home.processing / source
    if not folder.is_dir():
        return []
    files = []
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            if not tidy:
                continue
            if (
                entry.name.endswith(CLAIM_SUFFIX)
                and not (folder / entry.name[1 : -len(CLAIM_SUFFIX)]).exists()
            ):
                entry.unlink(missing_ok=True)  # a crash between the note and the move
            elif entry.name.startswith(COPY_PREFIX) or entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)  # a private copy a crash left: made again from the file
            continue
        if entry.is_file() and not entry.is_symlink():
            files.append(entry)
    return sorted(files, key=_claim_order)


def _claim_order(path: Path) -> tuple[int, str]:
    seq = path.name.split("__", 1)[0]
    return (int(seq) if seq.isdigit() else 0, path.name)


def claim_note(path: Path) -> dict:
    """What the claim note beside a claimed file says: its original name and any pinned values."""
    try:
        return json.loads(_sidecar(path, CLAIM_SUFFIX).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return {}  # claimed by an older treem, or the note was lost: the stored name is all there is


def original_name(path: Path) -> str:
    return claim_note(path).get("name") or path.name.split("__", 1)[-1]


def _stamp(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_size, found.st_mtime_ns


def private_copy(path: Path) -> Claimed:
    """Copy the claimed file privately, hashing what is copied; the copy keeps its modification time
    (the time the office sent it)."""
    note = claim_note(path)
    stamp = _stamp(path)
    # named by its seq alone: short whatever the name (a claim of an older treem kept the whole name)
    copy = path.with_name(f"{COPY_PREFIX}{path.name.split('__', 1)[0]}{path.suffix}")
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as source, open(copy, "wb") as target:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            target.write(block)
            size += len(block)
    os.utime(copy, ns=(stamp[1], stamp[1]))
    received = note.get("received_at")
    processed = note.get("processed_at")
    return Claimed(
        path=path,
        copy=copy,
        name=note.get("name") or path.name.split("__", 1)[-1],
        stamp=stamp,
        digest=digest.hexdigest(),
        size=size,
        received_at=dt.datetime.fromisoformat(received) if received else local_time(stamp[1] / 1e9),
        processed_at=dt.datetime.fromisoformat(processed) if processed else local_now(),
        released_at=dt.datetime.fromisoformat(note["released_at"]) if note.get("released_at") else None,
        released_by=note.get("released_by"),
        origin=note.get("origin"),
    )


def changed(claimed: Claimed) -> bool:
    """The office's file changed after it was copied: its writer was still at work."""
    try:
        return _stamp(claimed.path) != claimed.stamp
    except OSError:
        return False  # gone: nothing more can be written to it that anyone would see


def put_back(claimed: Claimed) -> None:
    """A file that changed while read waits in processing/ for the next run; its copy goes."""
    claimed.copy.unlink(missing_ok=True)


def done(claimed: Claimed) -> None:
    """The copy is stored: the office's file and its note go, unless it changed since it was copied
    (then it waits for the next run, as a new version)."""
    claimed.copy.unlink(missing_ok=True)
    if changed(claimed):
        return
    claimed.path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # a claim of an older treem has no note, and a name too long for one
        _sidecar(claimed.path, CLAIM_SUFFIX).unlink(missing_ok=True)
