"""Chaos: `treem run` killed with SIGKILL at random points of ingestion, dbt, the checks, the publish and
the reports, nine times in a row, each time rerun with no hand step; the last run ends as one clean run
of the same inbox: the same raw tables and registry, the same published tables, the same files stored,
nothing left waiting, and no run that waited past its timeout."""

from __future__ import annotations

import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from demo import generate
from tests.conftest import fresh_home
from tests.pipeline_state import published_state, raw_state, stored_state

pytestmark = pytest.mark.slow

TREEM = Path(sys.executable).with_name("treem")
WAIT_TIMEOUT = 120  # `treem run --wait-timeout`: a run that waits longer fails the test
RUN_DEADLINE = 900  # seconds any one run may take before the test calls it stuck
# (step whose start arms the kill, seconds after it, whether the whole process group dies or only
# `treem run` itself, leaving its dbt child to finish alone)
KILLS = (
    ("raw__file_registry", 0.2, False),
    ("raw__child_register", 1.0, True),
    ("raw__immunization", 2.0, False),
    ("raw__health_insurance", 0.5, True),
    ("treem_dbt_assets", 3.0, False),
    ("treem_dbt_assets", 8.0, True),
    ("great_expectations_suites", 1.0, False),
    ("serving_copy", 0.1, True),
    ("period_reports", 3.0, False),
)
# Columns that differ between two homes fed the same files at other times: when each file was first
# taken, and the receipt that prints it.
BETWEEN_HOMES = {"file_registry": ("processed_at", "receipt"), "fct_report_submissions": ("first_seen_at",)}


def _start(home: Path, force: bool) -> subprocess.Popen:
    env = {**os.environ, "TREEM_HOME": str(home)}
    return subprocess.Popen(
        [str(TREEM), "--home", str(home), "run", "--wait-timeout", str(WAIT_TIMEOUT)]
        + (["--force"] if force else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group: the group kill is a power cut of the run
    )


def _lines(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _run(
    home: Path, kill: tuple[str, float, bool] | None, transcript: list[str], force: bool = False
) -> tuple[bool, float]:
    """One `treem run` (``force``: every step even with nothing new); with ``kill``, SIGKILL it ``delay``
    seconds after ``step`` starts. Returns whether it was killed and how long it lived."""
    started = time.monotonic()
    process = _start(home, force)
    lines = _lines(process)
    kill_at = None
    while True:
        if time.monotonic() - started > RUN_DEADLINE:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"a run took more than {RUN_DEADLINE} s:\n" + "".join(transcript[-40:]))
        if kill_at is not None and time.monotonic() >= kill_at:
            step, _, group = kill
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
            transcript.append(f"### killed ({'group' if group else 'treem run only'}) in {step}\n")
            return True, time.monotonic() - started
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            continue
        if line is None:
            process.wait()
            return False, time.monotonic() - started
        transcript.append(line)
        if kill is not None and kill_at is None and "▶" in line and line.rstrip().endswith(kill[0]):
            kill_at = time.monotonic() + kill[1]


def test_kills_at_random_points_then_reruns_end_as_one_clean_run(tmp_path, pointed_env):
    template = fresh_home(tmp_path / "template")
    generate(template.root, seed=5, scale=0.01, messy=0.1)
    clean, chaos = (fresh_home(tmp_path / name) for name in ("clean", "chaos"))
    for home in (clean, chaos):
        shutil.copytree(template.inbox, home.inbox, dirs_exist_ok=True)

    transcript: list[str] = []
    killed, seconds = _run(clean.root, None, transcript)
    assert not killed and "THÀNH CÔNG" in "".join(transcript), "".join(transcript[-40:])

    rng = random.Random(2025)
    plan = [(step, round(delay * rng.uniform(0.5, 1.5), 2), group) for step, delay, group in KILLS]
    transcript = [f"plan: {plan}\n"]
    kills = 0
    for kill in plan:
        # --force: a kill that lands after a run has finished (this home's run takes about 25 s) must
        # not leave the next runs with nothing new to do and no step for their kills
        was_killed, _ = _run(chaos.root, kill, transcript, force=True)
        kills += was_killed
    assert kills >= 8, "".join(transcript)
    killed, _ = _run(chaos.root, None, transcript)
    log = "".join(transcript)
    last = log.rsplit("### killed", 1)[-1]
    # A kill armed late in the reports may land after the run has finished its work and recorded it
    # (a run of this home takes about 25 s): the last run then rightly has nothing new to do.
    assert not killed and ("THÀNH CÔNG" in last or "Không có gì mới" in last), log[-6000:]

    assert raw_state(chaos, BETWEEN_HOMES) == raw_state(clean, BETWEEN_HOMES)
    assert published_state(chaos, BETWEEN_HOMES) == published_state(clean, BETWEEN_HOMES)
    assert stored_state(chaos).keys() == stored_state(clean).keys()
    leftovers = [p for folder in (chaos.inbox, chaos.processing) for p in folder.rglob("*") if p.is_file()]
    assert leftovers == []
    assert sorted(p.name for p in chaos.reports.rglob("*.xlsx")) == sorted(
        p.name for p in clean.reports.rglob("*.xlsx")
    )
    said = ("###", "THẤT BẠI", "Đang chờ", "Đến lượt", "── Kết quả")
    print("".join(line for line in transcript if any(word in line for word in said)))  # for `pytest -s`
