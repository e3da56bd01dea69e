"""A run whose process died is failed and its claim on the writer pool freed; a live one is waited
for, saying whom for, without using the processor; a run's log holds the traceback of a failed step."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pytest

from base.home import PROJECT_ROOT, Home
from orchestration import recovery
from orchestration.instance import EARLIER_DAGSTER_YAMLS, dagster_yaml, home_instance, use_home
from orchestration.recovery import (
    HOST_TAG,
    PID_TAG,
    PROCESS_START_TAG,
    process_start,
    process_started_by,
    sweep,
)
from orchestration.resources import WAREHOUSE_POOL
from orchestration.run_once import failure_tracebacks
from orchestration.writer_turn import EXIT_BUSY, lock_path, writer_turn
from tests.conftest import drop_fixtures, use
from tests.orchestration.test_sensor import _tick
from tests.orchestration.writer_holder import writer
from treem.cli import main

FAILURE = dg.DagsterRunStatus.FAILURE


@pytest.fixture
def instance(pointed_env, home) -> Iterator[dg.DagsterInstance]:
    with home_instance(home) as instance:
        yield instance
    use(pointed_env)


def _readline(stream, seconds: float = 60) -> str:
    ready, _, _ = select.select([stream], [], [], seconds)
    assert ready, f"nothing said in {seconds} s"
    return stream.readline()


@contextmanager
def holding(home: Home, mode: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """A process holding the writer (see writer_holder), and its run id; killed at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.orchestration.writer_holder", str(home.root), mode],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = _readline(process.stdout)
        assert line.startswith("holding "), line
        yield process, line.split()[1]
    finally:
        process.kill()
        process.wait()


def kill_9(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def _claims(instance: dg.DagsterInstance) -> tuple[set[str], set[str]]:
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    return {slot.run_id for slot in info.claimed_slots}, {step.run_id for step in info.pending_steps}


@pytest.mark.parametrize("mode", ["tagged", "untagged"])
def test_a_killed_run_is_failed_and_its_pool_claim_freed_a_live_one_left_alone(instance, home, mode):
    # tagged: a `treem run`; untagged: a run naming its process only in its events (`treem ui`'s)
    with holding(home, mode) as (holder, run_id):
        swept = sweep(instance)
        assert [(p.run_id, p.pid, p.alive) for p in swept.live] == [(run_id, holder.pid, True)]
        assert not swept.failed and not swept.freed
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
        assert _claims(instance) == ({run_id}, {run_id})
        kill_9(holder)
        swept = sweep(instance)
    assert [(p.run_id, p.pid, p.alive) for p in swept.failed] == [(run_id, holder.pid, False)]
    assert not swept.live
    assert instance.get_run_by_id(run_id).status == FAILURE
    assert _claims(instance) == (set(), set())
    assert not sweep(instance).failed  # failed once


def test_a_process_given_a_dead_runs_pid_is_not_taken_for_it(instance):
    me = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    started = process_start(os.getpid())
    mine = instance.create_run_for_job(writer, tags={**me, PROCESS_START_TAG: str(started)})
    reused = instance.create_run_for_job(writer, tags={**me, PROCESS_START_TAG: str(started - 1)})
    elsewhere = instance.create_run_for_job(
        writer, tags={**me, HOST_TAG: "another-machine", PROCESS_START_TAG: str(started - 1)}
    )
    swept = sweep(instance)
    assert [p.run_id for p in swept.failed] == [reused.run_id]
    assert {(p.run_id, p.alive) for p in swept.live} == {(mine.run_id, True), (elsewhere.run_id, None)}
    assert instance.get_run_by_id(reused.run_id).status == FAILURE
    assert instance.get_run_by_id(mine.run_id).status == dg.DagsterRunStatus.NOT_STARTED


def test_a_process_started_after_a_run_named_its_pid_is_not_the_runs():
    # a run of `treem ui` names its worker in an event: a later process given that pid is another
    me, started = os.getpid(), process_start(os.getpid())
    uptime = float(open("/proc/uptime").read().split()[0])
    my_start = time.time() - uptime + started / os.sysconf("SC_CLK_TCK")
    assert process_started_by(me, time.time())
    assert not process_started_by(me, my_start - 5)
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    assert not process_started_by(exited.pid, time.time())


def test_a_run_naming_no_process_gets_dagsters_start_timeout(instance, monkeypatch):
    run = instance.create_run_for_job(writer)  # as the sensor daemon makes it, before it is queued
    swept = sweep(instance)
    assert [(p.run_id, p.pid, p.alive) for p in swept.live] == [(run.run_id, None, None)]
    assert not swept.failed
    monkeypatch.setattr(recovery, "NO_PROCESS_GRACE_SECONDS", -1)
    assert [p.run_id for p in sweep(instance).failed] == [run.run_id]
    assert instance.get_run_by_id(run.run_id).status == FAILURE


def test_the_claims_of_a_finished_run_are_freed(instance):
    run = instance.create_run_for_job(writer)
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, run.run_id, "write_the_warehouse").is_claimed
    instance.report_run_failed(run)  # as from the UI: the claim stays behind
    assert _claims(instance)[0] == {run.run_id}
    assert sweep(instance).freed == [run.run_id]
    assert _claims(instance) == (set(), set())


@pytest.mark.parametrize("mode", ["turn", "tagged"])
def test_run_gives_up_after_wait_timeout_naming_the_holder(pointed_env, home, capsys, mode):
    # turn: another `treem run` holds the turn; tagged: a live run of the instance holds the pool
    with holding(home, mode) as (_, run_id):
        started = time.monotonic()
        try:
            code = main(["--home", str(home.root), "run", "--wait-timeout", "2"])
        finally:
            use(pointed_env)
        waited = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == EXIT_BUSY
    assert 2 <= waited < 4
    assert "Đang chờ lượt ghi kho dữ liệu (tối đa 2 giây)" in out and f"lần chạy {run_id[:8]}" in out
    assert f"lần chạy {run_id[:8]}" in err and "--wait-timeout" in err


def test_run_waits_for_a_process_with_the_warehouse_open(pointed_env, home, capsys):
    with holding(home, "warehouse") as (holder, _):  # as a dbt build a killed `treem run` left running
        try:
            code = main(["--home", str(home.root), "run", "--wait-timeout", "1"])
        finally:
            use(pointed_env)
    assert code == EXIT_BUSY
    assert f"tiến trình {holder.pid} (python" in capsys.readouterr().err


def test_the_turn_of_a_killed_holder_comes_at_once(instance, home):
    said: list[str] = []
    with holding(home, "turn") as (holder, run_id):
        threading.Timer(1.5, kill_9, [holder]).start()
        started = time.monotonic()
        with writer_turn(home, instance, "the-next-run", 10, said.append):
            waited = time.monotonic() - started
            assert json.loads(lock_path(home).read_text())["run_id"] == "the-next-run"
    assert 1.5 <= waited < 4  # the kernel released the lock of the killed process
    assert f"lần chạy {run_id[:8]}, tiến trình {holder.pid} (còn chạy)" in said[0]
    assert said[-1].startswith("Đến lượt sau")
    assert lock_path(home).read_text() == ""  # released: nobody to name


def _cpu_seconds(pid: int) -> float:
    stat = open(f"/proc/{pid}/stat").read()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_a_waiting_run_says_whom_it_waits_for_and_sleeps(pointed_env, home):
    with holding(home, "turn") as (_, run_id):
        started = time.monotonic()
        waiting = subprocess.Popen(
            [sys.executable, "-m", "treem.cli", "--home", str(home.root), "run", "--wait-timeout", "6"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first, said = _readline(waiting.stdout), _readline(waiting.stdout)
        said_after = time.monotonic() - started
        cpu = _cpu_seconds(waiting.pid)
        time.sleep(3)
        cpu = _cpu_seconds(waiting.pid) - cpu
        out, err = waiting.communicate(timeout=30)
    assert first.startswith("Chạy toàn bộ pipeline")
    assert "Đang chờ lượt ghi kho dữ liệu" in said and f"lần chạy {run_id[:8]}" in said
    assert said_after < 8  # Python and Dagster's imports take 3 s of it on the project's machine
    assert cpu < 0.15  # seconds of processor over 3 seconds of waiting
    assert waiting.returncode == EXIT_BUSY and run_id[:8] in err


def test_of_two_runs_started_at_the_same_moment_one_waits(home):
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.orchestration.writer_holder", str(home.root), "try-turn"],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    assert [_readline(process.stdout) for process in processes] == ["ready\n", "ready\n"]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    said = sorted(_readline(process.stdout).split()[0] for process in processes)  # the holder holds on
    for process in processes:
        process.communicate(timeout=60)
    assert said == ["busy", "holding"]


def test_the_sensor_fails_dead_runs_and_waits_for_live_ones(pointed_env, home):
    from orchestration.sensors import inbox_sensor

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    with holding(home, "tagged") as (holder, run_id):
        first = _tick(inbox_sensor, home, None)
        second = _tick(inbox_sensor, home, first.cursor)
        assert second.run_requests == []
        assert f"lần chạy {run_id[:8]}" in second.skip_reason.skip_message
        kill_9(holder)
        third = _tick(inbox_sensor, home, second.cursor)
    assert len(third.run_requests) == 1
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        assert instance.get_run_by_id(run_id).status == FAILURE
        assert _claims(instance) == (set(), set())


@dg.op
def read_the_extract() -> None:
    raise ValueError("tệp không đọc được")


@dg.job
def failing() -> None:
    read_the_extract()


def test_the_log_holds_the_traceback_of_a_failed_step(instance):
    result = failing.execute_in_process(instance=instance, raise_on_error=False)
    text = "".join(failure_tracebacks(instance.all_logs(result.run_id)))
    assert "LỖI bước read_the_extract" in text
    assert "ValueError: tệp không đọc được" in text
    assert "in read_the_extract" in text  # the stack, down to the failing function
    assert "LỖI lần chạy" not in text  # the run's error only repeats the step's


def test_an_older_or_moved_home_gets_the_current_instance_settings(pointed_env, tmp_path):
    older, moved = Home(tmp_path / "older"), Home(tmp_path / "Quận Hà Đông 😀")
    edited, pointed = Home(tmp_path / "edited"), Home(tmp_path / "pointed")  # pointed: history elsewhere
    own_settings = "# my own\ntelemetry:\n  enabled: false\n"
    own_history = dagster_yaml(pointed).replace(str(pointed.dagster_home / "history" / "runs"), "/srv/h")
    before_move = dagster_yaml(Home(tmp_path / "before the move"))
    texts = (EARLIER_DAGSTER_YAMLS[0], before_move, own_settings, own_history)
    for home, text in zip((older, moved, edited, pointed), texts, strict=True):
        home.dagster_home.mkdir(parents=True)
        (home.dagster_home / "dagster.yaml").write_text(text)
    try:
        use_home(edited)
        use_home(pointed)
        with home_instance(moved) as instance:  # the folder's name read back whole
            assert instance.event_log_storage._base_dir == str(moved.dagster_home / "history" / "runs")
        with home_instance(older) as instance:
            assert instance.run_monitoring_enabled
            assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
            assert instance.event_log_storage._base_dir == str(older.dagster_home / "history" / "runs")
    finally:
        use(pointed_env)
    assert (older.dagster_home / "dagster.yaml").read_text() == dagster_yaml(older)
    assert str(older.dagster_home / "history" / "runs") in dagster_yaml(older)
    assert (moved.dagster_home / "dagster.yaml").read_text() == dagster_yaml(moved)
    assert (edited.dagster_home / "dagster.yaml").read_text() == own_settings
    assert (pointed.dagster_home / "dagster.yaml").read_text() == own_history


@pytest.mark.slow
def test_a_run_killed_while_it_writes_does_not_block_the_next(pointed_env, home, capsys):
    drop_fixtures(home)
    first = subprocess.Popen(
        [sys.executable, "-m", "treem.cli", "--home", str(home.root), "run"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    claimed: set[str] = set()
    while not claimed and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.5)
        if (home.dagster_home / "dagster.yaml").exists():
            with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
                claimed = _claims(instance)[0]
    kill_9(first)
    [killed] = claimed
    try:
        code = main(["--home", str(home.root), "run", "--wait-timeout", "30"])
    finally:
        use(pointed_env)
    out = capsys.readouterr().out
    assert f"Đã đánh dấu THẤT BẠI lần chạy {killed[:8]}" in out
    assert "── Kết quả lần chạy" in out and code != EXIT_BUSY
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        assert instance.get_run_by_id(killed).status == FAILURE
        assert _claims(instance) == (set(), set())
