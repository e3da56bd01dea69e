"""Accounts in one JSON file in the home folder (``accounts.json``, readable by its owner only):
passwords are stored only as argon2id hashes; sign-in is slowed after failures.

After ``FREE_FAILURES`` wrong passwords in a row, each next try for that name waits ``BASE_WAIT``
seconds, doubling with every further failure up to ``MAX_WAIT``; a try made before the wait is over is
refused without looking at the password. The failures are read from the audit log, so every process
(each dashboard session, the command line) sees the same count, and only from a log whose hash chain
verifies (a log that does not stops every sign-in). A try counts as a failure from the moment its check
begins, under the log's write lock; only one check per account name runs at a time, and at most
``max_checks()`` in all (each argon2 check takes 64 MiB): a try past either limit is refused without
hashing. One browser address gets ``ADDRESS_FAILURES`` wrong passwords per ``ADDRESS_WINDOW``, whatever
the names it tries.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access import audit
from access.roles import AccountError, Role, Viewer, check_scope
from base.clock import local_now
from base.home import SEEDS_DIR

FREE_FAILURES = 3
BASE_WAIT = 30  # seconds
MAX_WAIT = 15 * 60
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")  # the whole name: re.fullmatch
MAX_NAME_LENGTH = 80
ADDRESS_FAILURES = 20
ADDRESS_WINDOW = dt.timedelta(minutes=15)
MEMORY = dt.timedelta(hours=24)  # failures older than this are forgotten, and not read
STALE_CHECK = 30.0  # seconds: a check slot left by a process killed mid-check is free again

_hasher = PasswordHasher()  # argon2id, the library's recommended cost
# verified when the name is unknown, so that a wrong name takes as long as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class LoginRefused(Exception):
    """Sign-in refused; the message is Vietnamese, ``wait_seconds`` how long until the next try."""

    def __init__(self, message: str, wait_seconds: int = 0):
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: Role
    ward_code: str | None
    disabled: bool
    created_at: str
    source: str | None = None  # an office's source

    def viewer(self) -> Viewer:
        return Viewer(self.username, self.name, self.role, self.ward_code, self.source)


def max_checks() -> int:
    """Password checks at once, every process together (``TREEM_MAX_PASSWORD_CHECKS``, default 2)."""
    return max(1, int(os.environ.get("TREEM_MAX_PASSWORD_CHECKS", "2")))


def current_ward_codes() -> set[str]:
    """Today's ward codes, from the seed the warehouse uses (wards.csv: valid to 9999-12-31)."""
    with open(SEEDS_DIR / "wards.csv", encoding="utf-8") as f:
        return {row["ward_code"] for row in csv.DictReader(f) if row["valid_to"].startswith("9999")}


def sources_sent_per_ward() -> dict[str, bool]:
    """Each source offices send today, and whether each ward sends its own (the extract calendar's
    owed_by), from the seed the warehouse uses."""
    with open(SEEDS_DIR / "extract_calendar.csv", encoding="utf-8") as f:
        return {
            row["source"]: row["owed_by"] == "ward"
            for row in csv.DictReader(f)
            if row["obliged_to"].startswith("9999")
        }


def accounts_path(home_root: os.PathLike) -> Path:
    return Path(home_root) / "accounts.json"


@contextmanager
def _locked(home_root: os.PathLike) -> Iterator[dict]:
    """The accounts, loaded under an exclusive lock and written back (atomically) on a clean exit."""
    path = accounts_path(home_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        users = _read(path)
        yield users
        partial = path.with_suffix(".tmp")
        partial.unlink(missing_ok=True)  # a leftover keeps its mode: write a new one, the owner's only
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "users": users}, f, ensure_ascii=False, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)


def _read(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("users", {})


def _account(username: str, raw: dict) -> Account:
    return Account(
        username,
        raw["name"],
        Role(raw["role"]),
        raw.get("ward_code"),
        raw["disabled"],
        raw["created_at"],
        raw.get("source"),
    )


def list_accounts(home_root: os.PathLike) -> list[Account]:
    return [_account(u, raw) for u, raw in sorted(_read(accounts_path(home_root)).items())]


def get_account(home_root: os.PathLike, username: str) -> Account | None:
    raw = _read(accounts_path(home_root)).get(username)
    return _account(username, raw) if raw else None


def _check_name(name: str) -> None:
    """A display name is one line of printable text (it is shown as text, never as markup)."""
    if len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise AccountError(f"Họ tên hiển thị phải là một dòng chữ in được, tối đa {MAX_NAME_LENGTH} ký tự.")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")


def add_account(
    home_root: os.PathLike,
    username: str,
    password: str,
    role: Role,
    ward_code: str | None = None,
    name: str = "",
    source: str | None = None,
) -> Account:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"Tên đăng nhập '{username}' không hợp lệ: 3–32 ký tự gồm chữ thường, số, dấu chấm, "
            "gạch dưới, gạch ngang."
        )
    _check_name(name)
    sources = sources_sent_per_ward()
    if source is not None and source not in sources:
        raise AccountError(f"Không có nguồn '{source}'; các nguồn: {', '.join(sources)}")
    check_scope(role, ward_code, source, sources.get(source, False))
    if ward_code is not None and ward_code not in current_ward_codes():
        raise AccountError(f"Không có phường mã '{ward_code}' trong danh sách phường hiện nay.")
    _check_password(password)
    with _locked(home_root) as users:
        if username in users:
            raise AccountError(f"Đã có tài khoản '{username}'.")
        users[username] = {
            "name": name or username,
            "role": role.value,
            "ward_code": ward_code,
            **({"source": source} if source else {}),
            "password_hash": _hasher.hash(password),
            "disabled": False,
            "created_at": local_now().isoformat(timespec="seconds"),
        }
    detail = f"tạo tài khoản (nguồn {source})" if source else "tạo tài khoản"
    audit.record(home_root, username, audit.ACCOUNT_CHANGE, role.value, ward_code, detail)
    return get_account(home_root, username)


def _change(home_root: os.PathLike, username: str, detail: str, **fields: object) -> None:
    with _locked(home_root) as users:
        if username not in users:
            raise AccountError(f"Không có tài khoản '{username}'.")
        users[username].update(fields)
        role, ward = users[username]["role"], users[username].get("ward_code")
    audit.record(home_root, username, audit.ACCOUNT_CHANGE, role, ward, detail)


def set_password(home_root: os.PathLike, username: str, password: str) -> None:
    _check_password(password)
    _change(home_root, username, "đổi mật khẩu", password_hash=_hasher.hash(password))


def disable_account(home_root: os.PathLike, username: str) -> None:
    _change(home_root, username, "khóa tài khoản", disabled=True)


def _wait(failures: int, last: dt.datetime | None, now: dt.datetime) -> int:
    """Seconds before the next try after ``failures`` in a row, the last at ``last`` (0: now)."""
    if failures < FREE_FAILURES or last is None:
        return 0
    wait = min(BASE_WAIT * 2 ** (failures - FREE_FAILURES), MAX_WAIT)
    return max(0, int(wait - (now - last).total_seconds() + 0.999))


def _address_wait(con: sqlite3.Connection, client: str | None, now: dt.datetime) -> int:
    """Seconds before ``client`` may try again: until its oldest failure in the window leaves it."""
    if not client:
        return 0
    failures = audit.failures_from(con, client, now - ADDRESS_WINDOW)
    if len(failures) < ADDRESS_FAILURES:
        return 0
    return max(1, int((failures[-ADDRESS_FAILURES] + ADDRESS_WINDOW - now).total_seconds() + 0.999))


def wait_before_next_try(home_root: os.PathLike, username: str, now: dt.datetime | None = None) -> int:
    """Seconds before ``username`` may try again (0: now)."""
    now = now or local_now()
    with audit.writing(home_root) as con:
        return _wait(*audit.failures_in_a_row(con, username, now - MEMORY), now)


BROKEN_LOG = (
    "Tạm ngừng đăng nhập: nhật ký truy cập không còn nguyên vẹn. Hãy báo kỹ sư dữ liệu của quận (lệnh "
    "`treem audit verify`)."
)
WRONG = "Sai tên đăng nhập hoặc mật khẩu."


def _refusal(
    con: sqlite3.Connection, username: str, now: dt.datetime, client: str | None
) -> LoginRefused | None:
    """The wait still owed by ``client`` or by ``username``, as a refusal (None: none)."""
    if wait := _address_wait(con, client, now):
        return LoginRefused(f"Quá nhiều lần đăng nhập sai từ máy này: hãy thử lại sau {wait} giây.", wait)
    if wait := _wait(*audit.failures_in_a_row(con, username, now - MEMORY), now):
        return LoginRefused(f"Đã nhập sai nhiều lần: hãy thử lại sau {wait} giây.", wait)
    return None


def _begin_check(home_root: os.PathLike, username: str, now: dt.datetime, client: str | None) -> str:
    """Under the log's write lock: apply the waits, verify the log, take the check slot, and count the
    try as a failure before its hash is checked; returns the slot's token, or raises ``LoginRefused``
    (recorded) when the try may not go on. The waits read the log before it is verified: rows that do
    not hold can only make them refuse more, and a refusal costs no verification."""
    with audit.writing(home_root) as con:
        refusal = _refusal(con, username, now, client)
        if refusal is None:
            # the rows the limits read (the last day) are verified, and the link into them; the whole
            # chain is verified by `treem audit verify`, by every `treem run` and on the log page
            verdict = audit.verify_connection(con, audit.first_row_since(con, now - MEMORY))
            if not verdict.holds:
                audit.append(
                    con, username, audit.LOGIN_REFUSED, detail=verdict.sentence(), at=now, client=client
                )
            else:
                token = audit.start_check(con, username, max_checks(), STALE_CHECK)
                if token:
                    audit.append(con, username, audit.LOGIN_ATTEMPT, at=now, client=client)
                    return token
                refusal = LoginRefused(
                    "Đang kiểm tra một lần đăng nhập khác của tài khoản này: hãy thử lại sau ít giây."
                    if audit.check_running(con, username)
                    else "Máy chủ đang kiểm tra nhiều lần đăng nhập cùng lúc: hãy thử lại sau ít giây.",
                    1,
                )
        if refusal is not None:
            detail = f"chờ {refusal.wait_seconds} giây" if refusal.wait_seconds > 1 else str(refusal)
            audit.append(con, username, audit.LOGIN_THROTTLED, detail=detail, at=now, client=client)
    raise refusal or LoginRefused(BROKEN_LOG)


def authenticate(
    home_root: os.PathLike,
    username: str,
    password: str,
    now: dt.datetime | None = None,
    client: str | None = None,
) -> Viewer:
    """The viewer for a right name and password of an active account; otherwise ``LoginRefused``. Every
    outcome is written to the audit log, with the browser's address ``client`` where known. A log that
    does not verify, or that cannot be read or written, refuses every sign-in."""
    username = username.strip().lower()
    now = now or local_now()
    try:
        if not USERNAME.fullmatch(username):  # no account can have it: refused without a slot or a hash
            audit.record(
                home_root, username[:40], audit.LOGIN_FAILED, detail="tên không hợp lệ", at=now, client=client
            )
            raise LoginRefused(WRONG)
        token = _begin_check(home_root, username, now, client)
    except (audit.AuditBroken, sqlite3.Error):
        raise LoginRefused(BROKEN_LOG) from None
    outcome, account = audit.LOGIN_FAILED, None
    try:
        raw = _read(accounts_path(home_root)).get(username)
        try:
            _hasher.verify(raw["password_hash"] if raw else _DUMMY_HASH, password)
            if raw is not None:
                account = _account(username, raw)
                outcome = audit.LOGIN_DISABLED if account.disabled else audit.LOGIN_OK
        except (VerificationError, InvalidHashError):
            pass
    finally:
        with audit.writing(home_root) as con:
            audit.end_check(con, username, token)
            role, ward = (account.role.value, account.ward_code) if account else (None, None)
            audit.append(con, username, outcome, role, ward, at=now, client=client)
    if outcome == audit.LOGIN_FAILED:
        raise LoginRefused(WRONG)
    if outcome == audit.LOGIN_DISABLED:
        raise LoginRefused("Tài khoản đã bị khóa: hãy liên hệ kỹ sư dữ liệu của quận.")
    return account.viewer()


def new_password() -> str:
    """A random password for a new account (16 characters, letters and digits)."""
    return secrets.token_urlsafe(12)
