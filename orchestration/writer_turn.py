"""The turn to write the warehouse: one `treem run` at a time, and none while another run of the
home's Dagster instance is in progress or another process has the warehouse open.

The turn is an exclusive lock on a file in the home, taken before the run starts and held until it
ends; the kernel releases it when its process dies, even by kill -9, so a crash never leaves it
taken. The holder writes its pid, run id and start time into the file, for those who wait to say
whom they wait for. Waiting sleeps between looks. A run must not start before the pool is free:
Dagster's in-process executor waits for a pool slot without sleeping, at a full core (in Dagster
1.13 `InstanceConcurrencyContext.interval_to_next_pending_claim_check` returns min(0, ...), never a
positive wait, and no setting changes that).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from base.home import Home
from orchestration.recovery import (
    HOST_TAG,
    PROCESS_START_TAG,
    Sweep,
    local_time,
    process_alive,
    process_tags,
    sweep,
)

EXIT_BUSY = 3  # `treem run --wait-timeout`: the turn did not come in time
LOOK_SECONDS = 1.0


class WriterBusy(Exception):
    """The warehouse stayed busy for the whole wait the caller allowed."""


def lock_path(home: Home) -> Path:
    return home.dagster_home / "treem-run.lock"


def current_holder(home: Home) -> str | None:
    """Who holds the turn, as a sentence, if its process lives (or runs on another machine)."""
    try:
        holder = json.loads(lock_path(home).read_text(encoding="utf-8"))
        pid = int(holder["pid"])
    except (OSError, ValueError, KeyError, TypeError):  # no file, released (empty), or being written
        return None
    alive = process_alive(pid, holder.get("host"), holder.get("process_start"))
    if alive is False:  # killed while holding it: the kernel has released the lock already
        return None
    where = "còn chạy" if alive else f"trên máy {holder.get('host')}, không kiểm tra được"
    return (
        f"một `treem run` khác giữ lượt ghi kho: lần chạy {str(holder.get('run_id'))[:8]}, "
        f"tiến trình {pid} ({where}), từ {local_time(float(holder.get('since', 0)))}"
    )


def _warehouse_users(home: Home) -> list[str]:
    """Other processes with the warehouse open: DuckDB locks its file (the lock is in /proc/locks),
    and a dbt build left running by a killed `treem run` still writes it."""
    try:
        stat = home.warehouse.stat()
    except FileNotFoundError:
        return []
    file = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    users = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()  # "1: POSIX  ADVISORY  WRITE 4242 fe:00:2154497 0 EOF"
        if file in fields and (pid := int(fields[fields.index(file) - 1])) not in (-1, os.getpid()):
            try:
                name = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:  # gone since
                continue
            users.append(f"tiến trình {pid} ({name}) đang mở kho dữ liệu {home.warehouse.name}")
    return users


def warehouse_busy(home: Home, swept: Sweep) -> str | None:
    """Who else writes the warehouse now, as a sentence: a run in progress, a process with it open."""
    others = [process.describe() for process in swept.live] + _warehouse_users(home)
    return "; ".join(others) or None


class _Wait:
    """Says whom it waits for when that changes, sleeps between looks, gives up past the timeout."""

    def __init__(self, timeout: float | None, say: Callable[[str], None]) -> None:
        self.timeout = timeout
        self.started = time.monotonic()
        self.deadline = None if timeout is None else self.started + timeout
        self.say = say
        self.said: str | None = None

    def over(self) -> None:
        if self.said is not None:
            self.say(f"Đến lượt sau {time.monotonic() - self.started:.0f} giây chờ.")
            self.said = None

    def a_moment(self, holder: str) -> None:
        if holder != self.said:
            limit = "không giới hạn" if self.timeout is None else f"tối đa {self.timeout:g} giây"
            self.say(f"Đang chờ lượt ghi kho dữ liệu ({limit}): {holder}.")
            self.said = holder
        left = None if self.deadline is None else self.deadline - time.monotonic()
        if left is not None and left <= 0:
            raise WriterBusy(
                f"Hết {self.timeout:g} giây chờ mà kho dữ liệu vẫn bận: {holder}. Không chạy lần này; "
                "chạy lại khi lần chạy kia xong (hoặc bỏ --wait-timeout để chờ đến lượt)."
            )
        time.sleep(LOOK_SECONDS if left is None else min(LOOK_SECONDS, left))


def _report(swept: Sweep, say: Callable[[str], None]) -> None:
    failed = {process.run_id for process in swept.failed}
    for process in swept.failed:
        say(f"Đã đánh dấu THẤT BẠI {process.describe()} và trả lượt ghi kho nó giữ.")
    for run_id in swept.freed:
        if run_id not in failed:
            say(f"Đã trả lượt ghi kho mà lần chạy đã kết thúc {run_id[:8]} còn giữ.")


def _others_done(home: Home, instance: dg.DagsterInstance, wait: _Wait) -> None:
    while True:
        swept = sweep(instance)
        _report(swept, wait.say)
        busy = warehouse_busy(home, swept)
        if busy is None:
            wait.over()
            return
        wait.a_moment(busy)


@contextmanager
def writer_turn(
    home: Home,
    instance: dg.DagsterInstance,
    run_id: str,
    timeout: float | None,
    say: Callable[[str], None],
) -> Iterator[Callable[[], None]]:
    """Waits for the turn (``timeout`` seconds at most, else raises WriterBusy; None: as long as it
    takes) and holds it for the block; runs left by a dead process are failed on the way. Yields the
    wait for other runs, to call again right before the run starts: a run launched from the Dagster
    UI meanwhile goes first."""
    wait = _Wait(timeout, say)
    fd = os.open(lock_path(home), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                wait.a_moment(current_holder(home) or "một `treem run` khác giữ lượt ghi kho")
        try:
            tags = process_tags()
            holder = {
                "pid": os.getpid(),
                "host": tags[HOST_TAG],
                "process_start": tags[PROCESS_START_TAG],
                "run_id": run_id,
                "since": time.time(),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)
            _others_done(home, instance, wait)
            yield lambda: _others_done(home, instance, wait)
        finally:
            os.ftruncate(fd, 0)  # released: nobody to name
    finally:
        os.close(fd)
