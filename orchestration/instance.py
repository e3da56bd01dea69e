"""The persistent Dagster instance in the home folder, with the warehouse's one-writer pool."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import dagster as dg

from base.home import Home
from orchestration.run_history import write_history_fast

_QUEUED_RUNS_YAML = """\
# Written by treem. DuckDB has one writer: every pool (the warehouse writers share one) runs
# one step at a time, and the run queue of `treem ui` starts one run at a time.
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 1
# `treem ui`'s daemon fails a run that never starts or never finishes canceling, and frees the
# pool slots a finished run still holds. A run whose process died is failed by treem itself
# (orchestration/recovery.py), before `treem run` starts and at every tick of the inbox sensor.
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  free_slots_after_run_end_seconds: 60
telemetry:
  enabled: false
"""

_EVENT_LOG_YAML = """\
# Dagster's SQLite event log in its default folder, keeping each history file's SQLAlchemy engine from
# one event to the next instead of building one per event (orchestration/run_history.py).
event_log_storage:
  module: orchestration.run_history
  class: HistoryEventLogStorage
  config:
    base_dir: {history}
"""

_TEMPLATE = _QUEUED_RUNS_YAML.replace("telemetry:\n", _EVENT_LOG_YAML + "telemetry:\n")
_HISTORY = ("dagster", "history", "runs")  # the folder under the home, Dagster's default one


def dagster_yaml(home: Home) -> str:
    """The instance settings treem writes into ``home``: they name its history folder (a JSON string
    is a YAML one; non-ASCII letters stay as they are, which YAML reads back whole)."""
    history = json.dumps(str(home.dagster_home / "history" / "runs"), ensure_ascii=False)
    return _TEMPLATE.replace("{history}", history)


# what earlier versions of treem wrote: a home still holding one of them gets the current settings
EARLIER_DAGSTER_YAMLS = (
    _QUEUED_RUNS_YAML,
    """\
# Written by treem. DuckDB has one writer: every pool (the warehouse writers share one) runs
# one step at a time.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
""",
)


def use_home(home: Home) -> None:
    """Point this process (and the dbt and Dagster processes it starts) at ``home``."""
    home.ensure()
    os.environ["TREEM_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ["DBT_LOG_PATH"] = str(home.root / "logs" / "dbt")
    config = home.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(home)
    written = config.read_text(encoding="utf-8") if config.exists() else None
    if written != wanted and (written is None or _written_by_treem(written)):
        fresh = config.with_name(f".dagster.yaml.{os.getpid()}")
        fresh.write_text(wanted, encoding="utf-8")
        fresh.replace(config)  # whole: another process starting now never reads half of it


def _written_by_treem(text: str) -> bool:
    """Settings an earlier treem wrote, or these written for another place of the home (moved): not
    the user's own, which are kept, a history folder of their choosing included."""
    before, after = _TEMPLATE.split("{history}")
    if text in EARLIER_DAGSTER_YAMLS or not (text.startswith(before) and text.endswith(after)):
        return text in EARLIER_DAGSTER_YAMLS
    try:
        named = json.loads(text[len(before) : len(text) - len(after)])
    except ValueError:
        return False
    return isinstance(named, str) and Path(named).parts[-3:] == _HISTORY


def home_instance(home: Home) -> dg.DagsterInstance:
    use_home(home)
    write_history_fast()
    # two processes opening a new home at once would both create its SQLite storages: one at a time
    with open(home.dagster_home / ".instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return dg.DagsterInstance.get()
