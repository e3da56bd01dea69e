"""Who may read what treem writes: the account that runs it, and at most one named group.

Every treem process (the command line, the dashboard, Dagster's code location) calls
``use_private_umask`` first, so that every file it or a library it drives creates (DuckDB and its
WAL, SQLite, openpyxl, Dagster's storage, logs, temporary files) is 0600 and every folder 0700. With
``TREEM_GROUP`` set to a group the account belongs to, files are 0640 and folders 2750 (set-group-id,
so new files take the group): that group may read, never write. ``fix_modes`` brings an older home,
made before these rules, to the same modes.
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path


class GroupError(ValueError):
    """``TREEM_GROUP`` names a group that does not exist; the message (Vietnamese) says so."""


@dataclass(frozen=True)
class Modes:
    umask: int
    folder: int
    file: int
    gid: int | None  # the group named by TREEM_GROUP, None: the owner alone


def modes() -> Modes:
    """The modes the settings ask for (``TREEM_GROUP`` unset or empty: the owner alone)."""
    group = os.environ.get("TREEM_GROUP", "").strip()
    if not group:
        return Modes(0o077, 0o700, 0o600, None)
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise GroupError(f"TREEM_GROUP='{group}': không có nhóm người dùng này trên máy.") from None
    return Modes(0o027, 0o2750, 0o640, gid)


def use_private_umask() -> Modes:
    """Set this process's umask (inherited by the processes it starts); returns the modes in use."""
    wanted = modes()
    os.umask(wanted.umask)
    return wanted


def fix_modes(root: Path, wanted: Modes | None = None) -> list[Path]:
    """Take from every folder and file under ``root`` (``root`` included) the permissions the modes in
    use do not give (never adding one); returns the paths changed. Symbolic links are neither followed
    nor changed; a path owned by another account (an office's file dropped into the inbox by another
    user) is left as it is."""
    wanted = wanted or modes()
    changed: list[Path] = []
    uid = os.getuid()

    def fix(path: Path, limit: int) -> None:
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or info.st_uid != uid:
                return
            # only take away: a file kept for the owner alone (accounts, the restricted lists) stays so
            mode = stat.S_IMODE(info.st_mode) & limit | (limit & stat.S_ISGID)
            regroup = wanted.gid is not None and info.st_gid != wanted.gid
            if regroup:
                os.chown(path, -1, wanted.gid, follow_symlinks=False)
            if mode != stat.S_IMODE(info.st_mode) or regroup:
                os.chmod(path, mode, follow_symlinks=False)
                changed.append(path)
        except (FileNotFoundError, NotImplementedError):  # gone, or replaced by a link, while walking
            return

    if not root.exists():
        return changed
    fix(root, wanted.folder)
    for folder, subfolders, files in os.walk(root):
        for name in subfolders:
            fix(Path(folder, name), wanted.folder)
        for name in files:
            fix(Path(folder, name), wanted.file)
    return changed
