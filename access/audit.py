"""The audit log: every sign-in, every look at child-level data, every report export, appended to a
SQLite table in the home folder. SQLite because the dashboard's sessions and the command line write it
from separate processes.

Triggers refuse any UPDATE or DELETE, so nothing the app does can change a row once written; and the
log is tamper-evident against anyone who gets past them (drops a trigger, edits the file): each row
carries the hash of the row before it and a hash of its own content with that link, so changing,
removing or inserting a row breaks the chain from there on. ``verify`` walks the chain and names the
first broken row; sign-in trusts only a verified log (``access.accounts``). The head hash that
``verify`` prints can be written down elsewhere: a rewrite of the whole chain then shows too.

The same file holds the password checks in progress (``login_checks``): one per account name, and a
few at a time in all, shared by every process (see ``access.accounts``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from base.clock import local_now

GENESIS = "0" * 64
TRIGGERS = ("audit_log_append_only", "audit_log_no_update", "audit_log_no_delete")
SCHEMA = (
    """
    create table if not exists audit_log (
        id integer primary key check (id >= 1),
        at text not null,           -- district local time, ISO 8601
        username text not null,
        role text,
        action text not null,
        ward_code text,
        detail text,
        client text,                -- the browser's address, for sign-ins from the dashboard
        prev_hash text not null,
        row_hash text not null
    )
    """,
    "create index if not exists audit_log_at on audit_log (at)",
    """
    create table if not exists login_checks (
        username text primary key,
        started real not null,      -- time.time() when the check began
        token text not null         -- whose check it is
    )
    """,
)
TRIGGER_SQL = (
    f"""
    create trigger if not exists audit_log_append_only before insert on audit_log
    when new.id is not (select coalesce(max(id), 0) + 1 from audit_log)
        or new.prev_hash is not coalesce(
            (select row_hash from audit_log order by id desc limit 1), '{"0" * 64}')
    begin select raise(abort, 'audit_log rows are appended to the chain'); end
    """,
    """
    create trigger if not exists audit_log_no_update before update on audit_log
    begin select raise(abort, 'audit_log is append-only'); end
    """,
    """
    create trigger if not exists audit_log_no_delete before delete on audit_log
    begin select raise(abort, 'audit_log is append-only'); end
    """,
)
COLUMNS = ("id", "at", "username", "role", "action", "ward_code", "detail", "client")
INSERT = f"insert into audit_log ({', '.join(COLUMNS)}, prev_hash, row_hash) values ({', '.join('?' * 10)})"

# what is recorded
LOGIN_ATTEMPT = "login_attempt"  # a password about to be checked: counted as a failure until login_ok
LOGIN_OK = "login_ok"
LOGIN_FAILED = "login_failed"  # wrong password or unknown user
LOGIN_THROTTLED = "login_throttled"  # refused unchecked: too many failures, or a check already running
LOGIN_DISABLED = "login_disabled"
LOGIN_REFUSED = "login_refused"  # refused unchecked: the audit log does not verify
LOGOUT = "logout"
SESSION_EXPIRED = "session_expired"
VIEW_CHILD_LIST = "view_child_list"
DOWNLOAD_CHILD_LIST = "download_child_list"
VIEW_CASE_LIST = "view_case_list"
DOWNLOAD_CASE_LIST = "download_case_list"
EXPORT_REPORT = "export_report"
ACCOUNT_CHANGE = "account_change"  # treem user add / passwd / disable
RELEASE_FILE = "release_file"  # treem release: a held correction may replace the file in force
CONTRACT_MAPPING = "contract_mapping"  # treem contract: a header or value confirmed (or withdrawn)
CHECK_EXTRACT = "check_extract"  # an office checked a file against its contract (nothing loaded)
SEND_EXTRACT = "send_extract"  # an office sent a file into its inbox from the dashboard
APPROVE_PERIOD = "approve_period"  # a report period's figures approved (a ward's, or the district's)
WITHDRAW_APPROVAL = "withdraw_approval"  # an approval withdrawn, with its reason
LOG_UPGRADED = "audit_log_upgraded"  # rows of an older log given their hashes
LOG_RESTARTED = "audit_log_restarted"  # a new log after a broken one was set aside


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    username: str
    role: str | None
    action: str
    ward_code: str | None
    detail: str | None
    client: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: ``broken_at`` is the first row that does not hold (None: the chain holds)."""

    rows: int
    head: str  # the last row's hash
    broken_at: int | None = None
    reason: str = ""

    @property
    def holds(self) -> bool:
        return self.broken_at is None and not self.reason

    def sentence(self) -> str:
        if self.holds:
            return f"Nhật ký truy cập nguyên vẹn: {self.rows} dòng, mã cuối chuỗi {self.head}."
        where = f" từ dòng {self.broken_at}" if self.broken_at is not None else ""
        return f"Nhật ký truy cập KHÔNG còn nguyên vẹn{where}: {self.reason}."


class AuditBroken(RuntimeError):
    """The log does not verify; the message (Vietnamese) names the first broken row."""


def audit_path(home_root: os.PathLike) -> Path:
    return Path(home_root) / "audit.sqlite"


def row_hash(prev_hash: str, values: tuple) -> str:
    """The hash of one row: its columns (``COLUMNS``, in order) and the previous row's hash."""
    canonical = json.dumps([prev_hash, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _connect(home_root: os.PathLike) -> sqlite3.Connection:
    """The log, made with its triggers the first time; an older log (rows without hashes) is sealed:
    its rows are given their hashes once, and that is recorded. Triggers found missing later are not
    put back: ``verify`` reports them."""
    path = audit_path(home_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        con.execute("pragma journal_mode = wal")  # a long verify never holds up a sign-in's write
        columns = {row[1] for row in con.execute("pragma table_info(audit_log)")}
        if not columns:
            con.execute("begin immediate")
            for statement in (*SCHEMA, *TRIGGER_SQL):
                con.execute(statement)
            con.execute("commit")
        elif "row_hash" not in columns and _written_before_the_chain(con):
            _seal_older_log(con)
    except sqlite3.DatabaseError as error:
        con.close()
        raise AuditBroken(f"Không đọc được tệp nhật ký truy cập {path.name}: {error}.") from error
    return con


def _written_before_the_chain(con: sqlite3.Connection) -> bool:
    """A log of treem before the chain: its table numbered rows with AUTOINCREMENT, which the chained
    table does not. A chained table whose hash columns were removed is not one: it stays broken."""
    sql = con.execute("select sql from sqlite_master where type = 'table' and name = 'audit_log'").fetchone()
    return sql is not None and "autoincrement" in sql[0].lower()


def _seal_older_log(con: sqlite3.Connection) -> None:
    """Give the rows of a log written before the chain their hashes (the only time the app lifts the
    triggers), in one transaction."""
    con.execute("begin immediate")
    if "row_hash" in {row[1] for row in con.execute("pragma table_info(audit_log)")}:
        con.execute("commit")  # another process sealed it meanwhile
        return
    con.execute("alter table audit_log rename to audit_log_unsealed")
    for trigger in TRIGGERS:
        con.execute(f"drop trigger if exists {trigger}")
    for statement in SCHEMA:
        con.execute(statement)
    rows = con.execute(
        "select id, at, username, role, action, ward_code, detail from audit_log_unsealed order by id"
    ).fetchall()
    numbers = f"{rows[0][0]}–{rows[-1][0]}" if rows else "–"
    previous = GENESIS
    for number, row in enumerate(rows, start=1):  # numbered again from 1: the chain has no gaps
        values = (number, *row[1:], None)
        digest = row_hash(previous, values)
        con.execute(INSERT, (*values, previous, digest))
        previous = digest
    con.execute("drop table audit_log_unsealed")
    append(con, "treem", LOG_UPGRADED, detail=f"{len(rows)} dòng cũ (số {numbers}) được gắn mã băm")
    for statement in TRIGGER_SQL:
        con.execute(statement)
    con.execute("commit")


def append(
    con: sqlite3.Connection,
    username: str,
    action: str,
    role: str | None = None,
    ward_code: str | None = None,
    detail: str | None = None,
    at: dt.datetime | None = None,
    client: str | None = None,
) -> None:
    """Append one row, chained to the last; the caller holds the write lock (``begin immediate``)."""
    last = con.execute("select id, row_hash from audit_log order by id desc limit 1").fetchone()
    number, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = (at or local_now()).isoformat(timespec="seconds")
    values = (number, when, username, role, action, ward_code, detail, client)
    con.execute(INSERT, (*values, previous, row_hash(previous, values)))


@contextmanager
def writing(home_root: os.PathLike) -> Iterator[sqlite3.Connection]:
    """The log under its write lock (one writer at a time, every process), committed on a clean exit."""
    path = audit_path(home_root)
    while True:
        con = _connect(home_root)
        opened = os.stat(path).st_ino
        con.execute("begin immediate")
        if os.stat(path).st_ino == opened:
            break
        con.execute("rollback")  # `treem audit restart` replaced the file meanwhile: write the new one
        con.close()
    with closing(con):
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")


def record(home_root: os.PathLike, username: str, action: str, *fields: object, **named: object) -> None:
    """Append one entry (committed before returning); the fields as for ``append``: role, ward_code,
    detail, at, client."""
    with writing(home_root) as con:
        append(con, username, action, *fields, **named)


def _read(home_root: os.PathLike, where: str, params: tuple, limit: int = -1) -> list[Entry]:
    """The entries matching ``where``, newest first, at most ``limit`` (-1: all); none before the log
    exists."""
    if not audit_path(home_root).exists():
        return []
    with closing(_connect(home_root)) as con:
        rows = con.execute(
            f"select {', '.join(COLUMNS)} from audit_log where {where} order by id desc limit ?",
            (*params, limit),
        ).fetchall()
    return [Entry(r[0], dt.datetime.fromisoformat(r[1]), *r[2:]) for r in rows]


def entries(home_root: os.PathLike, limit: int = 500) -> list[Entry]:
    """The latest entries, newest first."""
    return _read(home_root, "true", (), limit)


def entries_of(
    home_root: os.PathLike, username: str, actions: tuple[str, ...], since: dt.datetime | None = None
) -> list[Entry]:
    """One account's entries of these actions (since ``since``), newest first."""
    after = since.isoformat(timespec="seconds") if since else ""
    where = f"username = ? and at >= ? and action in ({', '.join('?' * len(actions))})"
    return _read(home_root, where, (username, after, *actions))


def _normalised(sql: str) -> str:
    return " ".join(sql.lower().replace("if not exists ", "").split())


def verify_connection(
    con: sqlite3.Connection, start: int = 1, expect: tuple[int, str] | None = None
) -> Verdict:
    """Walk the chain from row ``start`` (1: the whole log): the rows are numbered 1, 2, … without gaps,
    each row's link is the previous row's hash, its hash is that of its content; and the three triggers
    are in place, as treem wrote them. From a later row, the row before it is checked too, and its hash
    taken as the start of the chain. ``expect`` (row, hash), written down earlier: that row still has
    that hash (rows removed from the end, or a rewrite, show)."""
    if "row_hash" not in {row[1] for row in con.execute("pragma table_info(audit_log)")}:
        return Verdict(0, GENESIS, None, "bảng nhật ký không có cột mã băm (đã bị sửa cấu trúc)")
    low = con.execute("select min(id) from audit_log").fetchone()[0]
    if low is not None and low < 1:  # numbers the walk from row 1 does not reach
        return Verdict(0, GENESIS, low, f"dòng số {low} nằm ngoài chuỗi (dòng bị chèn)")
    present = {
        name: _normalised(sql)
        for name, sql in con.execute("select name, sql from sqlite_master where type = 'trigger'")
    }
    wanted = {_normalised(sql).split()[2]: _normalised(sql) for sql in TRIGGER_SQL}
    altered = [name for name in TRIGGERS if present.get(name) != wanted[name]]
    previous, expected, rows = GENESIS, 1, 0
    columns = f"{', '.join(COLUMNS)}, prev_hash, row_hash"
    if start > 1:
        before = con.execute(f"select {columns} from audit_log where id = ?", (start - 1,)).fetchone()
        if before is None:
            return Verdict(0, GENESIS, start - 1, f"thiếu dòng {start - 1} (dòng bị xóa)")
        if row_hash(before[-2], tuple(before[:-2])) != before[-1]:
            return Verdict(0, GENESIS, start - 1, "nội dung dòng đã bị sửa")
        previous, expected = before[-1], start
    seen = None
    for row in con.execute(f"select {columns} from audit_log where id >= ? order by id", (expected,)):
        values, link, digest = tuple(row[:-2]), row[-2], row[-1]
        number = values[0]
        if number != expected:
            return Verdict(rows, previous, number, f"thiếu dòng trước dòng {number} (dòng bị xóa)")
        if link != previous:
            return Verdict(rows, previous, number, "mã nối không khớp dòng trước (dòng bị xóa hoặc chèn)")
        if row_hash(previous, values) != digest:
            return Verdict(rows, previous, number, "nội dung dòng đã bị sửa")
        if expect and number == expect[0]:
            seen = digest
        previous, expected, rows = digest, expected + 1, rows + 1
    if altered:
        return Verdict(rows, previous, None, f"trigger chống sửa đã bị xóa hoặc đổi ({', '.join(altered)})")
    if expect and seen != expect[1]:
        why = "không còn dòng này (các dòng cuối đã bị xóa)" if seen is None else "mã của dòng này đã khác"
        return Verdict(rows, previous, expect[0], f"{why}: chuỗi không còn là chuỗi đã ghi lại")
    return Verdict(rows, previous)


def verify(home_root: os.PathLike, expect: tuple[int, str] | None = None) -> Verdict:
    """Whether the log holds. A home without a log holds (nothing to verify) unless it has accounts:
    every account's creation is logged, so its log was removed."""
    if not audit_path(home_root).exists():
        if (Path(home_root) / "accounts.json").exists():
            return Verdict(0, GENESIS, None, "tệp nhật ký truy cập đã bị xóa")
        return Verdict(0, GENESIS)
    try:
        with closing(_connect(home_root)) as con:
            return verify_connection(con, expect=expect)
    except AuditBroken as error:
        return Verdict(0, GENESIS, None, str(error).rstrip("."))


def _evidence_path(path: Path) -> Path:
    """A new, unused name beside the log for the broken one, made at once so nothing else takes it."""
    stem = path.with_name(f"audit-broken-{local_now():%Y%m%d-%H%M%S}")
    for n in range(1, 1000):
        candidate = Path(f"{stem}.sqlite" if n == 1 else f"{stem}-{n}.sqlite")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return candidate
        except FileExistsError:
            continue
    raise AuditBroken(f"Không đặt được tên cho bản nhật ký hỏng cạnh {path}.")


def restart(home_root: os.PathLike, reason: str) -> Path:
    """Keep a log that does not verify as evidence and start a new chain in its place, whose first row
    names the evidence, its SHA-256 and what ``verify`` found. The copy and the new start are made under
    the log's write lock, so a sign-in or a view being logged meanwhile waits and then writes the new
    chain; a file SQLite cannot read is moved aside whole. Returns the evidence's path."""
    path = audit_path(home_root)
    verdict = verify(home_root)
    if verdict.holds:
        raise AuditBroken("Nhật ký truy cập vẫn nguyên vẹn: không cần bắt đầu nhật ký mới.")
    aside = _evidence_path(path)
    user = os.environ.get("USER", "treem")
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        con.execute("begin immediate")
        # a reader of the WAL log is not held up by that lock: it copies what was committed before it
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(aside)) as copy:
            source.backup(copy)
    except sqlite3.DatabaseError:
        con.close()
        os.replace(path, aside)  # unreadable: nothing writes it either
        for suffix in ("-wal", "-shm", "-journal"):
            if Path(f"{path}{suffix}").exists():
                os.replace(f"{path}{suffix}", f"{aside}{suffix}")
        con = None
    digest = hashlib.sha256(aside.read_bytes()).hexdigest()
    detail = f"{aside.name} (sha256 {digest}): {verdict.sentence()} Lý do: {reason}"
    if con is None:
        record(home_root, user, LOG_RESTARTED, detail=detail)
        return aside
    with closing(con):
        for name in TRIGGERS:
            con.execute(f"drop trigger if exists {name}")
        con.execute("drop table if exists audit_log")
        con.execute("drop table if exists login_checks")  # checks in progress end with the old chain
        for statement in (*SCHEMA, *TRIGGER_SQL):
            con.execute(statement)
        append(con, user, LOG_RESTARTED, detail=detail)
        con.execute("commit")
    return aside


def first_row_since(con: sqlite3.Connection, since: dt.datetime) -> int:
    """The number of the first row written at or after ``since`` (past the last row when none is)."""
    first, last = con.execute(
        "select min(id) filter (where at >= ?), max(id) from audit_log",
        (since.isoformat(timespec="seconds"),),
    ).fetchone()
    return first if first is not None else (last or 0) + 1


def failures_in_a_row(
    con: sqlite3.Connection, username: str, since: dt.datetime | None = None
) -> tuple[int, dt.datetime | None]:
    """Password checks for ``username`` since its last successful sign-in (each counts as a failure from
    the moment it begins), and when the last one began; only those at or after ``since``."""
    count, last = con.execute(
        """
        select count(*), max(at) from audit_log
        where username = ? and action = ? and at >= ?
          and id > coalesce((select max(id) from audit_log where username = ? and action = ?), 0)
        """,
        (username, LOGIN_ATTEMPT, since.isoformat(timespec="seconds") if since else "", username, LOGIN_OK),
    ).fetchone()
    return count, (dt.datetime.fromisoformat(last) if last else None)


def failures_from(con: sqlite3.Connection, client: str, since: dt.datetime) -> list[dt.datetime]:
    """When each failed sign-in from ``client`` since ``since`` happened, oldest first."""
    rows = con.execute(
        "select at from audit_log where client = ? and action = ? and at >= ? order by id",
        (client, LOGIN_FAILED, since.isoformat(timespec="seconds")),
    ).fetchall()
    return [dt.datetime.fromisoformat(r[0]) for r in rows]


def check_running(con: sqlite3.Connection, username: str) -> bool:
    return con.execute("select 1 from login_checks where username = ?", (username,)).fetchone() is not None


def start_check(con: sqlite3.Connection, username: str, limit: int, stale_after: float) -> str:
    """Take the one check slot of ``username`` and one of ``limit`` in all: the slot's token, or '' when
    a check for this name is running (``check_running``) or ``limit`` checks are. A slot left by a
    process killed mid-check is free again after ``stale_after`` seconds."""
    now = time.time()
    con.execute("delete from login_checks where started < ?", (now - stale_after,))
    if (
        check_running(con, username)
        or con.execute("select count(*) from login_checks").fetchone()[0] >= limit
    ):
        return ""
    token = secrets.token_hex(8)
    con.execute(
        "insert into login_checks (username, started, token) values (?, ?, ?)", (username, now, token)
    )
    return token


def end_check(con: sqlite3.Connection, username: str, token: str) -> None:
    """Free the slot taken with ``token`` (a slot taken over after it went stale is the other's)."""
    con.execute("delete from login_checks where username = ? and token = ?", (username, token))
