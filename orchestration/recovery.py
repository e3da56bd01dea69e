"""Runs whose process is gone: marked failed, and their claims on the one-writer pool freed.

Whether a run's process lives: `treem run` tags its run with its pid, host and the process's start
time (field 22 of /proc/<pid>/stat: a later process given the same pid has another); a run
launched by `treem ui` names its worker in an engine event ("Started process for run (pid: N)."),
so a process that started after that event is not it. A run that names no process yet gets
Dagster's own start timeout (run_monitoring's default start_timeout_seconds) before it counts as
dead. Queued runs are left to Dagster's run queue: they have no process and hold no slot.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

PID_TAG = "treem/pid"
HOST_TAG = "treem/host"
PROCESS_START_TAG = "treem/process_start"
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
NO_PROCESS_GRACE_SECONDS = 180  # run_monitoring's default start_timeout_seconds
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_start(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot; None when no such process runs (a
    zombie has already exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces and brackets
    return None if fields[0] in ("Z", "X") else int(fields[19])


def process_alive(pid: int, host: str | None, start: str | None) -> bool | None:
    """Whether the process that stamped ``pid``, ``host`` and ``start`` still runs; None when it
    ran on another machine."""
    if host != socket.gethostname():
        return None
    return start is not None and str(process_start(pid)) == start


def process_started_by(pid: int, moment: float) -> bool:
    """Whether process ``pid`` runs and started by ``moment`` (seconds since the epoch, to the
    second: the boot time is known to a hundredth)."""
    start = process_start(pid)
    boot = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    return start is not None and boot + start / _CLOCK_TICKS <= moment + 1


def process_tags() -> dict[str, str]:
    """Tags naming this process, for the run it executes in process."""
    pid = os.getpid()
    return {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), PROCESS_START_TAG: str(process_start(pid))}


def local_time(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%H:%M:%S %d/%m/%Y")


@dataclass(frozen=True)
class RunProcess:
    """An unfinished run, and what is known of its process."""

    run_id: str
    status: dg.DagsterRunStatus
    since: float  # when it started, else when it was created
    pid: int | None
    alive: bool | None  # None: cannot tell (another machine, or no process named yet)

    def describe(self) -> str:
        if self.pid is None:
            process = "chưa có tiến trình"
        elif self.alive is None:
            process = f"tiến trình {self.pid} trên máy khác, không kiểm tra được"
        else:
            process = f"tiến trình {self.pid} {'còn chạy' if self.alive else 'không còn'}"
        return f"lần chạy {self.run_id[:8]} ({self.status.value} từ {local_time(self.since)}, {process})"


def _worker_named_in_events(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The pid of the run's first process (its worker), and when it said so."""
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        pid = entry.dagster_event.engine_event_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value), entry.timestamp
    return None


def _run_process(instance: dg.DagsterInstance, record: dg.RunRecord) -> RunProcess:
    """The run's process and whether it lives. Only the worker counts: a step's subprocess left by a
    killed worker may hang for ever, and while it still has the warehouse open, writers wait for it
    anyway (orchestration/writer_turn.py)."""
    run = record.dagster_run
    since = record.start_time or record.create_timestamp.timestamp()
    if PID_TAG in run.tags:
        pid = int(run.tags[PID_TAG])
        alive = process_alive(pid, run.tags.get(HOST_TAG), run.tags.get(PROCESS_START_TAG))
        return RunProcess(run.run_id, run.status, since, pid, alive)
    named = _worker_named_in_events(instance, run.run_id)
    if named is None:
        silent = time.time() - record.update_timestamp.timestamp()
        alive = False if silent > NO_PROCESS_GRACE_SECONDS else None
        return RunProcess(run.run_id, run.status, since, None, alive)
    pid, said_at = named
    # a process started after the event is another one, given the dead worker's pid
    return RunProcess(run.run_id, run.status, since, pid, process_started_by(pid, said_at))


@dataclass
class Sweep:
    """What a sweep of the instance did and found."""

    failed: list[RunProcess] = field(default_factory=list)  # marked failed by this sweep
    freed: list[str] = field(default_factory=list)  # finished runs whose pool claims were freed
    live: list[RunProcess] = field(default_factory=list)  # unfinished, process alive or unknown


def sweep(instance: dg.DagsterInstance) -> Sweep:
    """Marks failed every unfinished run whose process is gone, and frees the pool claims (slots and
    pending steps) of every run that is no longer in progress."""
    result = Sweep()
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=UNFINISHED)):
        process = _run_process(instance, record)
        if process.alive is not False:
            result.live.append(process)
            continue
        run = instance.get_run_by_id(process.run_id)
        if run is not None and run.status in UNFINISHED:  # not finished meanwhile, nor by another sweep
            instance.report_run_failed(
                run,
                message=f"Tiến trình của lần chạy đã mất ({process.describe()}): treem đánh dấu thất bại "
                "và trả lượt ghi kho dữ liệu nó giữ.",
            )
            result.failed.append(process)
    storage = instance.event_log_storage
    infos = storage.get_concurrency_infos(sorted(storage.get_concurrency_keys())).values()
    claimants = {claim.run_id for info in infos for claim in (*info.claimed_slots, *info.pending_steps)}
    for run_id in sorted(claimants):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            storage.free_concurrency_slots_for_run(run_id)
            result.freed.append(run_id)
    return result
