"""The audit log: every sign-in, every look at child-level data, every report export, appended to a
SQLite table in the home folder. SQLite because the dashboard's sessions and the command line write it
from separate processes; triggers refuse any UPDATE or DELETE, so nothing the app does can change a
row once written."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ingestion.clock import local_now

SCHEMA = """
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,           -- district local time, ISO 8601
    username text not null,
    role text,
    action text not null,
    ward_code text,
    detail text
);
create trigger if not exists audit_log_no_update before update on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
create trigger if not exists audit_log_no_delete before delete on audit_log
begin select raise(abort, 'audit_log is append-only'); end;
"""

# what is recorded
LOGIN_OK = "login_ok"
LOGIN_FAILED = "login_failed"  # wrong password or unknown user
LOGIN_THROTTLED = "login_throttled"  # refused unchecked: too many failures in a row
LOGIN_DISABLED = "login_disabled"
LOGOUT = "logout"
SESSION_EXPIRED = "session_expired"
VIEW_CHILD_LIST = "view_child_list"
DOWNLOAD_CHILD_LIST = "download_child_list"
VIEW_CASE_LIST = "view_case_list"
DOWNLOAD_CASE_LIST = "download_case_list"
EXPORT_REPORT = "export_report"
ACCOUNT_CHANGE = "account_change"  # treem user add / passwd / disable
RELEASE_FILE = "release_file"  # treem release: a held correction may replace the file in force


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    username: str
    role: str | None
    action: str
    ward_code: str | None
    detail: str | None


def audit_path(home_root: os.PathLike) -> Path:
    return Path(home_root) / "audit.sqlite"


def _connect(home_root: os.PathLike) -> sqlite3.Connection:
    path = audit_path(home_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    con = sqlite3.connect(path, timeout=30)
    con.executescript(SCHEMA)
    if new:
        os.chmod(path, 0o600)  # who looked at which children: the owner's only
    return con


def record(
    home_root: os.PathLike,
    username: str,
    action: str,
    role: str | None = None,
    ward_code: str | None = None,
    detail: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one entry (committed before returning)."""
    when = (at or local_now()).isoformat(timespec="seconds")
    with closing(_connect(home_root)) as con, con:
        con.execute(
            "insert into audit_log (at, username, role, action, ward_code, detail) values (?, ?, ?, ?, ?, ?)",
            (when, username, role, action, ward_code, detail),
        )


def entries(home_root: os.PathLike, limit: int = 500) -> list[Entry]:
    """The latest entries, newest first."""
    if not audit_path(home_root).exists():
        return []
    with closing(_connect(home_root)) as con:
        rows = con.execute(
            "select id, at, username, role, action, ward_code, detail from audit_log "
            "order by id desc limit ?",
            (limit,),
        ).fetchall()
    return [Entry(r[0], dt.datetime.fromisoformat(r[1]), *r[2:]) for r in rows]


def failures_in_a_row(home_root: os.PathLike, username: str) -> tuple[int, dt.datetime | None]:
    """Wrong passwords for ``username`` since its last successful sign-in, and when the last one was."""
    if not audit_path(home_root).exists():
        return 0, None
    with closing(_connect(home_root)) as con:
        count, last = con.execute(
            """
            select count(*), max(at) from audit_log
            where username = ? and action = ?
              and id > coalesce((select max(id) from audit_log where username = ? and action = ?), 0)
            """,
            (username, LOGIN_FAILED, username, LOGIN_OK),
        ).fetchone()
    return count, (dt.datetime.fromisoformat(last) if last else None)
