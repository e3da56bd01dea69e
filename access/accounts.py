"""Accounts in one JSON file in the home folder (``accounts.json``, readable by its owner only):
passwords are stored only as argon2id hashes; sign-in is slowed after failures.

After ``FREE_FAILURES`` wrong passwords in a row, each next try for that name waits ``BASE_WAIT``
seconds, doubling with every further failure up to ``MAX_WAIT``; a try made before the wait is over is
refused without looking at the password. The failures are read from the audit log, so every process
(each dashboard session, the command line) sees the same count.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from access import audit
from access.roles import AccountError, Role, Viewer, check_scope
from ingestion.clock import local_now
from treem.home import SEEDS_DIR

FREE_FAILURES = 3
BASE_WAIT = 30  # seconds
MAX_WAIT = 15 * 60
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")

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

    def viewer(self) -> Viewer:
        return Viewer(self.username, self.name, self.role, self.ward_code)


def current_ward_codes() -> set[str]:
    """Today's ward codes, from the seed the warehouse uses (wards.csv: valid to 9999-12-31)."""
    with open(SEEDS_DIR / "wards.csv", encoding="utf-8") as f:
        return {row["ward_code"] for row in csv.DictReader(f) if row["valid_to"].startswith("9999")}


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
        username, raw["name"], Role(raw["role"]), raw.get("ward_code"), raw["disabled"], raw["created_at"]
    )


def list_accounts(home_root: os.PathLike) -> list[Account]:
    return [_account(u, raw) for u, raw in sorted(_read(accounts_path(home_root)).items())]


def get_account(home_root: os.PathLike, username: str) -> Account | None:
    raw = _read(accounts_path(home_root)).get(username)
    return _account(username, raw) if raw else None


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
) -> Account:
    if not USERNAME.match(username):
        raise AccountError(
            f"Tên đăng nhập '{username}' không hợp lệ: 3–32 ký tự gồm chữ thường, số, dấu chấm, "
            "gạch dưới, gạch ngang."
        )
    check_scope(role, ward_code)
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
            "password_hash": _hasher.hash(password),
            "disabled": False,
            "created_at": local_now().isoformat(timespec="seconds"),
        }
    audit.record(home_root, username, audit.ACCOUNT_CHANGE, role.value, ward_code, "tạo tài khoản")
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


def wait_before_next_try(home_root: os.PathLike, username: str, now: dt.datetime | None = None) -> int:
    """Seconds before ``username`` may try again (0: now)."""
    failures, last = audit.failures_in_a_row(home_root, username)
    if failures < FREE_FAILURES or last is None:
        return 0
    wait = min(BASE_WAIT * 2 ** (failures - FREE_FAILURES), MAX_WAIT)
    elapsed = ((now or local_now()) - last).total_seconds()
    return max(0, int(wait - elapsed + 0.999))


def authenticate(
    home_root: os.PathLike, username: str, password: str, now: dt.datetime | None = None
) -> Viewer:
    """The viewer for a right name and password of an active account; otherwise ``LoginRefused``. Every
    outcome is written to the audit log."""
    username = username.strip().lower()
    wait = wait_before_next_try(home_root, username, now)
    if wait:
        audit.record(home_root, username, audit.LOGIN_THROTTLED, detail=f"chờ {wait} giây", at=now)
        raise LoginRefused(f"Đã nhập sai nhiều lần: hãy thử lại sau {wait} giây.", wait)
    raw = _read(accounts_path(home_root)).get(username)
    try:
        _hasher.verify(raw["password_hash"] if raw else _DUMMY_HASH, password)
        if raw is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        audit.record(home_root, username, audit.LOGIN_FAILED, at=now)
        raise LoginRefused("Sai tên đăng nhập hoặc mật khẩu.") from None
    account = _account(username, raw)
    if account.disabled:
        audit.record(home_root, username, audit.LOGIN_DISABLED, account.role.value, account.ward_code, at=now)
        raise LoginRefused("Tài khoản đã bị khóa: hãy liên hệ kỹ sư dữ liệu của quận.")
    audit.record(home_root, username, audit.LOGIN_OK, account.role.value, account.ward_code, at=now)
    return account.viewer()


def new_password() -> str:
    """A random password for a new account (16 characters, letters and digits)."""
    return secrets.token_urlsafe(12)
