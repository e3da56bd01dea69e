"""`treem rebuild`: a new warehouse from the stored files alone, and the check that stops `treem run` when
the warehouse is lost.

Beside each file in archive/ and quarantine/ lies its registry row as JSON. The rebuild moves the old
warehouse aside (never deletes it), then claims a copy of every stored file into processing/, in the
order the registry took them (processed_at, then file_id) and pinned with the times, release and origin
its row records; the next run takes processing/ first and reads each copy as the first time: the same
registry rows, the same corrections, the same raw rows. The stored files stay where they are: storing a
copy finds the same bytes in place and drops the copy."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from base import duckdb_limits
from base.clock import local_now, local_time
from base.home import Home
from ingestion.batch import REGISTRY_COLUMNS
from ingestion.claim import claim, claim_note, claimed_files, original_name
from ingestion.contract import load_contracts
from ingestion.filing import RECORD_SUFFIX, content_hash, record_path
from ingestion.load import UNKNOWN_SOURCE
from ingestion.receipt import RECEIPT_SUFFIX, receipt_path
from ingestion.safety import safe_file_name

PINNED = ("received_at", "processed_at", "released_at", "released_by", "origin")
MOVED_ASIDE = "before-rebuild"
STAGING = ".rebuild"  # hidden folder of processing/ where a copy waits to be claimed
FILE_ID_DIGITS = 16
LISTED = 10  # file names listed in a message; the rest are counted


class RebuildError(Exception):
    """The rebuild cannot start; the message is in Vietnamese."""


@dataclass(frozen=True)
class Replayed:
    """A stored file claimed again, and the registry row it had (None when only its date is known)."""

    source: str
    place: str  # where its bytes came from, relative to the home
    row: dict | None


@dataclass
class Replay:
    """What a rebuild claimed, and what it had to guess or leave out (in Vietnamese)."""

    moved_aside: Path | None = None  # the old warehouse, renamed (its write-ahead log beside it)
    files: list[Replayed] = field(default_factory=list)
    pending: int = 0  # files an interrupted run left in processing/, taken after the stored ones
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Stored:
    path: Path
    source: str
    pinned: dict[str, object]  # the claim note: original name and what must be read as it was
    order: tuple[dt.datetime, str]
    row: dict | None
    move: bool = False  # the bytes are a file left in processing/: moved, not copied


def _file_id(path: Path) -> str | None:
    prefix = path.name.split("__", 1)[0]
    if len(prefix) == FILE_ID_DIGITS and all(c in "0123456789abcdef" for c in prefix):
        return prefix
    return None


def stored_files(home: Home) -> Iterator[Path]:
    """Every file kept in archive/ and quarantine/ (not the receipts and registry notes beside them)."""
    for folder in (home.archive, home.quarantine):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and not path.is_symlink()
                and _file_id(path)
                and not path.name.endswith((RECEIPT_SUFFIX, RECORD_SUFFIX, ".tmp"))
            ):
                yield path


def _notes(home: Home) -> list[tuple[Path, dict]]:
    """Each registry note with the stored file it describes (which may be missing)."""
    found = []
    for folder in (home.archive, home.quarantine):
        for note in sorted(folder.rglob("*" + RECORD_SUFFIX)) if folder.is_dir() else []:
            try:
                row = json.loads(note.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # unreadable: its file is replayed as one without a note
            found.append((note.with_name(note.name[: -len(RECORD_SUFFIX)]), row))
    return found


def _when(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _as_noted(value: object) -> object:
    """A registry value as a registry note writes it (JSON, datetimes and dates as ``str``)."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _from_row(path: Path, source: str, row: dict) -> _Stored:
    pinned = {"name": row["file_name"]}
    pinned.update({k: _as_noted(row[k]) for k in PINNED if row.get(k) is not None})
    return _Stored(path, source, pinned, (_when(row["processed_at"]), row["file_id"]), row)


def _by_mtime(path: Path, source: str) -> _Stored:
    """A file neither a note nor the old registry describes: received and processed, as far as anyone
    can tell, when it was last modified (the office's time, kept by every move)."""
    when = local_time(path.stat().st_mtime)
    pinned = {"name": path.name.split("__", 1)[-1], "received_at": str(when), "processed_at": str(when)}
    return _Stored(path, source, pinned, (when, _file_id(path) or ""), None)


def _source(home: Home, path: Path) -> str:
    for folder in (home.archive, home.quarantine):
        if path.is_relative_to(folder):
            return path.relative_to(folder).parts[0]
    raise ValueError(path)


def _relative(home: Home, path: Path) -> str:
    return path.relative_to(home.root).as_posix()


def _busy(error: duckdb.Error) -> bool:
    """A lock held by a run that is writing (or by this process): the warehouse is in use, not broken."""
    text = str(error).lower()
    return (isinstance(error, duckdb.IOException) and "lock" in text) or (
        isinstance(error, duckdb.ConnectionException) and "different configuration" in text
    )


def _ensure_not_written(home: Home) -> None:
    if not home.warehouse.exists():
        return
    try:
        duckdb.connect(str(home.warehouse), read_only=True).close()
    except duckdb.Error as error:
        if _busy(error):
            raise RebuildError(
                "Kho dữ liệu đang được ghi (một lần chạy đang diễn ra, hoặc `treem ui` đang bật cảm biến): "
                "hãy dừng lần chạy đó rồi dựng lại kho"
            ) from error
        # unreadable: it is moved aside below, which is what a rebuild is for


def _move_aside(home: Home) -> Path | None:
    """The old warehouse and its write-ahead log, renamed together so that DuckDB can still open them (a
    log left alone would be replayed into the new warehouse)."""
    wal = Path(f"{home.warehouse}.wal")
    if not home.warehouse.exists() and not wal.exists():
        return None
    stamp = f"{local_now():%Y%m%d-%H%M%S}"
    aside = home.warehouse.with_name(f"{home.warehouse.name}.{MOVED_ASIDE}-{stamp}")
    number = 1
    while aside.exists() or Path(f"{aside}.wal").exists():
        number += 1
        aside = home.warehouse.with_name(f"{home.warehouse.name}.{MOVED_ASIDE}-{stamp}-{number}")
    for old, new in ((home.warehouse, aside), (wal, Path(f"{aside}.wal"))):
        if old.exists():
            os.replace(old, new)
    return aside


def _old_registry(warehouse: Path | None) -> dict[str, dict]:
    """The registry rows of the warehouse moved aside, by stored path; empty when it cannot be read."""
    if warehouse is None or not warehouse.exists():
        return {}
    try:
        con = duckdb_limits.connect(warehouse, read_only=True)
    except duckdb.Error:
        return {}
    try:
        found = con.execute("select * from raw.file_registry").fetchall()
        names = [column[0] for column in con.description]
    except duckdb.Error:
        return {}
    finally:
        con.close()
    rows = [dict(zip(names, row, strict=True)) for row in found]
    return {row["stored_as"]: row for row in rows}


def _left_in_processing(home: Home) -> list[tuple[Path, str]]:
    """Files claimed by a run that did not store them, with their source, in the order they were claimed."""
    if not home.processing.is_dir():
        return []
    return [
        (path, folder.name)
        for folder in sorted(home.processing.iterdir())
        if folder.is_dir() and not folder.name.startswith(".")
        for path in claimed_files(home, folder.name)
    ]


def _sort_out_processing(
    home: Home, noted: dict[Path, dict], stored: list[Path], replay: Replay
) -> tuple[list[_Stored], list[tuple[Path, str]]]:
    """Files left in processing/: the bytes of a stored file whose move was cut short after its commit
    (replayed in its place), a copy of bytes stored already (dropped), or a file never stored (claimed
    again after the stored ones, which came before it)."""
    stored_ids = {_file_id(path) for path in stored}
    # a note whose bytes are stored under another name is the leftover of a retried quarantined file
    without_file = {
        row["content_hash"]: row
        for path, row in noted.items()
        if not path.exists() and row["file_id"] not in stored_ids
    }
    found, leftovers = [], []
    for path, source in _left_in_processing(home):
        digest = content_hash(path)
        if digest[:FILE_ID_DIGITS] in stored_ids:
            path.unlink()  # its claim note goes with the next look at the folder
        elif digest in without_file:
            found.append(replace(_from_row(path, source, without_file.pop(digest)), move=True))
        else:
            leftovers.append((path, source))
    replay.warnings += [
        f"Mất tệp {row['stored_as']} (mã tệp {row['file_id']}): chỉ còn ghi chú sổ đăng ký, không nạp lại "
        "được"
        for row in without_file.values()
    ]
    return found, leftovers


def _dated(home: Home, noted: dict[Path, dict], stored: list[Path], replay: Replay) -> list[_Stored]:
    """Each stored file with the times its registry row had: from its note, else from the registry of
    the warehouse moved aside (files stored by an older treem), else from its modification time."""
    without_note = [path for path in stored if path not in noted]
    old = _old_registry(replay.moved_aside) if without_note else {}
    found, dated = [], []
    for path in stored:
        source = _source(home, path)
        if path in noted:
            found.append(_from_row(path, noted[path]["source"], noted[path]))
        elif _relative(home, path) in old:
            found.append(_from_row(path, source, old[_relative(home, path)]))
        else:
            found.append(_by_mtime(path, source))
            dated.append(_relative(home, path))
    if without_note:
        replay.warnings.append(
            f"{len(without_note)} tệp lưu trữ không có ghi chú sổ đăng ký (lưu bởi phiên bản treem cũ): "
            f"{len(without_note) - len(dated)} tệp lấy thời điểm nhận và xử lý từ sổ đăng ký của kho cũ"
        )
    if dated:
        replay.warnings.append(
            f"{len(dated)} tệp không có trong sổ đăng ký nào đọc được: thời điểm nhận và xử lý, và thứ tự "
            f"nạp, lấy theo thời điểm sửa tệp ({_listed(dated)})"
        )
    return found


def _listed(names: list[str]) -> str:
    more = f" và {len(names) - LISTED} tệp khác" if len(names) > LISTED else ""
    return ", ".join(names[:LISTED]) + more


def _claim_copy(home: Home, stored: _Stored) -> None:
    if stored.move:  # already in processing/: claimed again where it is
        claim(stored.path, home, stored.source, **stored.pinned)
        return
    staging = home.processing / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / safe_file_name(str(stored.pinned["name"]))
    shutil.copy2(stored.path, staged)  # keeps the modification time: settled, and dated as it was sent
    claim(staged, home, stored.source, **stored.pinned)


def replay_archive(home: Home) -> Replay:
    """Move the warehouse aside and claim every stored file again, in registry order, so that the next
    run (with a full refresh) builds a new warehouse from them. Files an interrupted run left in
    processing/ are claimed again after them: they came later than anything stored."""
    _ensure_not_written(home)
    shutil.rmtree(home.processing / STAGING, ignore_errors=True)  # copies a cut-short rebuild left
    replay = Replay()
    noted = dict(_notes(home))
    stored = list(stored_files(home))
    found, leftovers = _sort_out_processing(home, noted, stored, replay)
    if not stored and not found and not leftovers:
        raise RebuildError(
            f"Không có tệp nào trong {home.archive} và {home.quarantine} để dựng lại kho: với thư mục dữ "
            "liệu mới, hãy dùng `treem run`"
        )
    replay.moved_aside = _move_aside(home)
    found += _dated(home, noted, stored, replay)
    sources = {*load_contracts(), UNKNOWN_SOURCE}
    orphaned = [_relative(home, s.path) for s in found if s.source not in sources]
    if orphaned:
        replay.warnings.append(
            f"{len(orphaned)} tệp của nguồn không còn hợp đồng, không nạp lại ({_listed(orphaned)})"
        )
    for stored_file in sorted((s for s in found if s.source in sources), key=lambda s: s.order):
        place = stored_file.row["stored_as"] if stored_file.move else _relative(home, stored_file.path)
        _claim_copy(home, stored_file)
        replay.files.append(Replayed(stored_file.source, place, stored_file.row))
    for path, source in leftovers:
        claim(path, home, source, **{**claim_note(path), "name": original_name(path)})
        replay.pending += 1
    for folder in home.processing.iterdir():
        if folder.is_dir() and not folder.name.startswith("."):
            claimed_files(
                home, folder.name, tidy=True
            )  # removes the claim notes of the files moved or dropped above
    shutil.rmtree(home.processing / STAGING, ignore_errors=True)
    return replay


def replay_lines(home: Home, replay: Replay) -> list[str]:
    """What the rebuild claimed, for the command line."""
    archived = sum(1 for f in replay.files if f.place.startswith(home.archive.name + "/"))
    unknown = sum(1 for f in replay.files if f.source == UNKNOWN_SOURCE)
    lines = [
        f"Kho cũ được chuyển sang {replay.moved_aside.name} (giữ nguyên, không xoá)"
        if replay.moved_aside
        else f"Không có kho cũ ({home.warehouse.name}): dựng kho mới",
        f"Nạp lại {len(replay.files)} tệp theo thứ tự của sổ đăng ký: {archived} từ archive/, "
        f"{len(replay.files) - archived} từ quarantine/ (trong đó {unknown} không rõ nguồn)",
    ]
    if replay.pending:
        lines.append(f"{replay.pending} tệp một lần chạy bị ngắt để lại trong processing/ được nạp sau cùng")
    lines += [f"! {warning}" for warning in replay.warnings]
    return lines


def _registry_rows(home: Home) -> dict[str, dict]:
    with duckdb_limits.connect(home.warehouse, read_only=True) as con:
        found = con.execute("select * from raw.file_registry").fetchall()
        names = [column[0] for column in con.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in found}


def finish_rebuild(home: Home, replay: Replay) -> list[str]:
    """Compare each replayed file's new registry row with the row it had, and return the differences in
    Vietnamese (none when the contracts and seeds are those that read the files first). A file set aside
    before that is now stored elsewhere (a contract fixed since) leaves its old quarantine copy, as a
    quarantined file dropped again does."""
    try:
        rows = _registry_rows(home)
    except duckdb.Error as error:
        return [f"Không đọc được sổ đăng ký tệp của kho mới ({error})"]
    compared = [c for c in REGISTRY_COLUMNS if c not in ("receipt", "superseded_by")]
    differences = []
    # the same bytes set aside under two names: the registry row is the later one's
    last = {r.row["file_id"]: r for r in replay.files if r.row is not None}
    for replayed in replay.files:
        if replayed.row is None or last[replayed.row["file_id"]] is not replayed:
            continue
        file_id = replayed.row["file_id"]
        now = rows.get(file_id)
        if now is None:
            differences.append(f"{replayed.place}: chưa có trong sổ đăng ký của kho mới")
            continue
        changed = [
            f"{column} {_as_noted(replayed.row.get(column))} → {_as_noted(now[column])}"
            for column in compared
            if _as_noted(replayed.row.get(column)) != _as_noted(now[column])
        ]
        if changed:
            differences.append(f"{replayed.place}: " + "; ".join(changed))
        before = home.root / replayed.place
        if (
            replayed.place.startswith(home.quarantine.name + "/")
            and now["stored_as"].startswith(home.archive.name + "/")
            and (home.root / now["stored_as"]).exists()
        ):
            for path in (before, receipt_path(before), record_path(before)):
                path.unlink(missing_ok=True)
    return differences


def warehouse_problem(home: Home) -> str | None:
    """Why a run must not go on with this warehouse (in Vietnamese, naming `treem rebuild`), or None.
    A run on a missing, unreadable or replaced warehouse would build one holding only the new files,
    and the files already stored would never come back into it. A brand-new home has no problem, and a
    warehouse locked by a run that is writing is in use, not broken."""
    stored = {_file_id(path) for path in stored_files(home)}
    rebuild = (
        "Hãy dựng lại kho từ các tệp đã lưu trữ bằng lệnh `treem rebuild` (kho cũ, nếu có, được giữ lại "
        "bên cạnh, không bị xoá)."
    )
    if not home.warehouse.exists():
        if not stored:
            return None
        return (
            f"Không thấy kho dữ liệu {home.warehouse}, dù thư mục lưu trữ đã giữ {len(stored)} tệp đã "
            "nhận: kho đã bị xoá hoặc chuyển đi. Lần chạy dừng lại để không tạo một kho chỉ có các tệp mới. "
            + rebuild
        )
    try:
        con = duckdb.connect(str(home.warehouse), read_only=True)
    except duckdb.Error as error:
        if _busy(error):
            return None
        return f"Không mở được kho dữ liệu {home.warehouse} (có thể tệp kho bị hỏng: {error}). {rebuild}"
    try:
        known = {file_id for (file_id,) in con.execute("select file_id from raw.file_registry").fetchall()}
    except duckdb.CatalogException:
        known = set()  # a warehouse no run has loaded into: only a problem if files were stored
    except duckdb.Error as error:
        return (
            f"Không đọc được sổ đăng ký tệp trong kho {home.warehouse} (có thể tệp kho bị hỏng: {error}). "
            + rebuild
        )
    finally:
        con.close()
    missing = sorted(stored - known)
    if missing:
        return (
            f"Sổ đăng ký tệp của kho {home.warehouse} thiếu {len(missing)} trong {len(stored)} tệp đã lưu "
            f"trữ (mã tệp {_listed(missing)}): kho này không phải kho đã nạp các tệp đó (có thể đã bị thay "
            f"bằng kho trống hoặc một bản sao cũ). {rebuild}"
        )
    return None
