"""Throttling that holds in parallel: one password check per account at a time, a few in all, each try
counted before its hash is checked, and a limit per browser address; shared by every process."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from access import accounts, audit
from access.roles import Role
from base.clock import DISTRICT_TZ

PASSWORD = "mat-khau-dung-1"
T0 = dt.datetime(2025, 6, 2, 8, 0, tzinfo=DISTRICT_TZ)


@pytest.fixture
def root(tmp_path):
    accounts.add_account(tmp_path, "lan", PASSWORD, Role.WARD_OFFICER, "09541", "Nguyễn Thị Lan")
    return tmp_path


class CountingHasher:
    """The real argon2 hasher, counting its checks and how many ran at once."""

    def __init__(self, real, pause: float = 0.0):
        self.real, self.pause = real, pause
        self.lock = threading.Lock()
        self.running = self.most = self.calls = 0

    def verify(self, hashed, password):
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.pause)  # a slower machine: the tries overlap for sure
            return self.real.verify(hashed, password)
        finally:
            with self.lock:
                self.running -= 1


def _try(root, name, password, client=None):
    try:
        accounts.authenticate(root, name, password, client=client)
        return "ok"
    except accounts.LoginRefused as refused:
        return str(refused)


def _actions(root, action):
    return [e for e in audit.entries(root, 10_000) if e.action == action]


def test_thirty_simultaneous_wrong_passwords_for_one_account_get_one_check_at_a_time(root, monkeypatch):
    hasher = CountingHasher(accounts._hasher, pause=0.3)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    barrier = threading.Barrier(30)

    def attempt(i):
        barrier.wait()
        return _try(root, "lan", f"sai-mat-khau-{i:02d}")

    with ThreadPoolExecutor(30) as pool:
        outcomes = list(pool.map(attempt, range(30)))

    assert hasher.most == 1  # never two checks of one account at once
    assert hasher.calls <= accounts.FREE_FAILURES  # then the wait refuses unchecked
    assert outcomes.count("Sai tên đăng nhập hoặc mật khẩu.") == hasher.calls
    assert len(_actions(root, audit.LOGIN_THROTTLED)) == 30 - hasher.calls
    assert len(_actions(root, audit.LOGIN_ATTEMPT)) == hasher.calls
    assert audit.verify(root).holds


def test_checks_of_many_accounts_at_once_are_capped(root, monkeypatch):
    monkeypatch.setenv("TREEM_MAX_PASSWORD_CHECKS", "2")
    hasher = CountingHasher(accounts._hasher, pause=0.5)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    barrier = threading.Barrier(12)

    def attempt(i):
        barrier.wait()
        return _try(root, f"khong-co-{i:02d}", "sai-mat-khau-1")

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(attempt, range(12)))

    assert hasher.most == 2 and hasher.calls < 12
    busy = "Máy chủ đang kiểm tra nhiều lần đăng nhập cùng lúc: hãy thử lại sau ít giây."
    assert outcomes.count(busy) == 12 - hasher.calls


def _process_try(root, i, start):
    start.wait()
    return _try(root, "lan", f"sai-mat-khau-{i:02d}")


def test_the_limit_is_shared_by_separate_processes(root):
    """Separate dashboard processes share the slot: it lives in the audit database."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(8) as pool:
            pending = [pool.apply_async(_process_try, (root, i, start)) for i in range(8)]
            time.sleep(3)  # every worker started and waiting
            start.set()
            outcomes = [p.get(timeout=120) for p in pending]
    checked = outcomes.count("Sai tên đăng nhập hoặc mật khẩu.")
    assert 1 <= checked <= accounts.FREE_FAILURES
    assert len(_actions(root, audit.LOGIN_ATTEMPT)) == checked
    assert len(_actions(root, audit.LOGIN_THROTTLED)) == 8 - checked


def test_a_try_counts_as_a_failure_before_its_hash_is_checked(root, monkeypatch):
    """A check cut short (the process killed while hashing) still counts, and frees its slot."""

    class PowerCut:
        def verify(self, hashed, password):
            assert accounts.wait_before_next_try(root, "lan", T0) == 0
            with audit.writing(root) as con:
                assert audit.failures_in_a_row(con, "lan")[0] == 1  # counted already
            raise KeyboardInterrupt

    monkeypatch.setattr(accounts, "_hasher", PowerCut())
    with pytest.raises(KeyboardInterrupt):
        accounts.authenticate(root, "lan", PASSWORD, T0)
    monkeypatch.undo()
    for i in range(1, 3):
        with pytest.raises(accounts.LoginRefused, match="Sai tên đăng nhập"):
            accounts.authenticate(root, "lan", "sai-mat-khau-1", T0 + dt.timedelta(seconds=i))
    # the cut try, then two wrong ones: three in a row, so even the right password waits now
    with pytest.raises(accounts.LoginRefused, match="Đã nhập sai nhiều lần: hãy thử lại sau 28 giây"):
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=4))


def test_a_slot_left_by_a_killed_check_is_free_after_a_while(root):
    with audit.writing(root) as con:
        con.execute("insert into login_checks values ('lan', ?, 'other')", (time.time(),))
    assert _try(root, "lan", PASSWORD) == (
        "Đang kiểm tra một lần đăng nhập khác của tài khoản này: hãy thử lại sau ít giây."
    )
    with audit.writing(root) as con:
        con.execute("update login_checks set started = ?", (time.time() - accounts.STALE_CHECK - 1,))
    assert _try(root, "lan", PASSWORD) == "ok"


def test_one_address_trying_many_names_is_stopped(root):
    for i in range(accounts.ADDRESS_FAILURES):
        assert (
            _try(root, f"ten-{i:02d}", "sai-mat-khau-1", client="10.1.2.3")
            == "Sai tên đăng nhập hoặc mật khẩu."
        )
    refused = _try(root, "lan", PASSWORD, client="10.1.2.3")
    assert refused.startswith("Quá nhiều lần đăng nhập sai từ máy này: hãy thử lại sau ")
    assert _try(root, "lan", PASSWORD, client="10.9.9.9") == "ok"  # another address is not held


def test_failures_are_forgotten_after_a_day(root):
    for i in range(3):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(root, "lan", "sai-mat-khau-1", T0 + dt.timedelta(seconds=i))
    assert accounts.wait_before_next_try(root, "lan", T0 + dt.timedelta(seconds=10)) == 22
    assert accounts.wait_before_next_try(root, "lan", T0 + accounts.MEMORY + dt.timedelta(seconds=3)) == 0


def test_the_address_window_passes(root):
    old = T0 - accounts.ADDRESS_WINDOW - dt.timedelta(seconds=1)
    for i in range(accounts.ADDRESS_FAILURES):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(root, f"ten-{i:02d}", "sai-mat-khau-1", old, client="10.1.2.3")
    assert accounts.authenticate(root, "lan", PASSWORD, T0, client="10.1.2.3").username == "lan"
