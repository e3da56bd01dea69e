"""What waits in the inbox: the files a run may take (complete, regular, in a source's folder) and the
entries it leaves alone, each with the reason `treem status` and the run summary give."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from base.home import Home
from ingestion.contract import load_contracts
from ingestion.safety import is_inside

IGNORED_PREFIXES = (".", "~$")  # hidden files and Excel's lock files
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload")
DEFAULT_SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class Skipped:
    """An inbox entry no run takes, and why (in Vietnamese)."""

    path: str  # relative to the inbox
    reason: str


def settle_seconds() -> float:
    """How long a file must stay unchanged before it is taken (``TREEM_SETTLE_SECONDS``, default 5)."""
    value = os.environ.get("TREEM_SETTLE_SECONDS", "").strip()
    if not value:
        return DEFAULT_SETTLE_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"TREEM_SETTLE_SECONDS must be a number of seconds, not {value!r}") from None
    if seconds < 0:
        raise ValueError(f"TREEM_SETTLE_SECONDS must not be negative, not {value!r}")
    return seconds


def pending_files(folder: Path) -> list[Path]:
    """Regular files waiting in one inbox folder, oldest first (ties by name). Symlinks, folders,
    hidden files, Excel lock files and files still being copied under a temporary name are left alone."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    files = {
        p: found[1]
        for p in folder.iterdir()
        if not p.name.startswith(IGNORED_PREFIXES)
        and not p.name.endswith(PARTIAL_SUFFIXES)
        and is_inside(p, folder)
        and (found := _stamp(p)) is not None  # not gone meanwhile (an office's program's temporary file)
    }
    return sorted(files, key=lambda p: (files[p], p.name))


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


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def settled(files: Iterable[Path], seconds: float | None = None) -> tuple[list[Path], list[Path]]:
    """Split ``files`` into those whose size and modification time have not changed for the settle time
    (the office has finished writing them) and those still changing. A file older than that is taken
    without waiting; for younger ones (or dated ahead of the clock) this waits once, until the youngest
    would be old enough but never longer than the settle time, and takes those that did not change."""
    seconds = settle_seconds() if seconds is None else seconds
    files = list(files)
    ready, young = set(), {}
    now = time.time_ns()
    for path in files:
        found = _stamp(path)
        if found is None:
            continue  # taken by another run meanwhile
        if now - found[1] >= seconds * 1e9:
            ready.add(path)
        else:
            young[path] = found
    waiting = []
    if young:
        # at most the settle time: a file dated ahead of the clock is judged by its stamp not changing
        youngest = max(mtime for _, mtime in young.values())
        time.sleep(min(seconds, max(0.0, (youngest + seconds * 1e9 - now) / 1e9)))
        for path, before in young.items():
            after = _stamp(path)
            if after == before:
                ready.add(path)
            elif after is not None:
                waiting.append(path)
    return [p for p in files if p in ready], waiting


def _why_skipped(entry: os.DirEntry, sources: set[str], at_top: bool, in_source: bool) -> str | None:
    name = entry.name
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        return "liên kết tượng trưng (symlink): hệ thống không đi theo liên kết; hãy chép chính tệp vào"
    if stat.S_ISDIR(mode):
        if name.startswith("."):
            return "thư mục ẩn: không đọc"
        if at_top and name in sources:
            return None
        where = "thư mục nguồn" if in_source else "hộp thư đến"
        return (
            f"thư mục con trong {where}: các tệp bên trong sẽ bị cách ly vì không rõ nguồn; hãy đặt tệp "
            "trực tiếp vào thư mục của nguồn"
        )
    if not stat.S_ISREG(mode):
        return "không phải tệp dữ liệu thông thường (ống dẫn, thiết bị hoặc socket)"
    if name.startswith("~$"):
        return "tệp khoá của Excel (tệp gốc đang mở trong Excel): không đọc"
    if name.startswith("."):
        return "tệp ẩn (tên bắt đầu bằng dấu chấm): không đọc"
    if name.endswith(PARTIAL_SUFFIXES):
        return "tệp đang được chép (tên tạm .tmp/.part): sẽ đọc khi được đổi về tên thật"
    return None


def skipped_entries(home: Home, seconds: float | None = None) -> list[Skipped]:
    """Every inbox entry a run leaves alone (hidden, lock and partial files, folders, symlinks, FIFOs,
    files changed within the settle time), with the reason."""
    if not home.inbox.is_dir():
        return []
    seconds = settle_seconds() if seconds is None else seconds
    sources = set(load_contracts())
    found: list[Skipped] = []
    now = time.time()

    def visit(folder: Path, at_top: bool, in_source: bool) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                relative = Path(entry.path).relative_to(home.inbox).as_posix()
                reason = _why_skipped(entry, sources, at_top, in_source)
                if reason is not None:
                    found.append(Skipped(relative, reason))
                elif entry.is_file(follow_symlinks=False):
                    try:
                        age = now - entry.stat(follow_symlinks=False).st_mtime
                    except OSError:
                        continue
                    if age < seconds:
                        found.append(
                            Skipped(relative, "vừa thay đổi, có thể đang được chép: chờ tệp ổn định")
                        )
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    visit(Path(entry.path), False, in_source or (at_top and entry.name in sources))

    visit(home.inbox, True, False)
    return found
