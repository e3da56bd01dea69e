"""The persistent Dagster instance in the home folder, with the warehouse's one-writer pool."""

from __future__ import annotations

import os

import dagster as dg

from treem.home import Home

DAGSTER_YAML = """\
# Written by treem. DuckDB has one writer: every pool (the warehouse writers share one) runs
# one step at a time.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def use_home(home: Home) -> None:
    """Point this process (and the dbt and Dagster processes it starts) at ``home``."""
    home.ensure()
    os.environ["TREEM_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ["DBT_LOG_PATH"] = str(home.root / "logs" / "dbt")
    config = home.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")


def home_instance(home: Home) -> dg.DagsterInstance:
    use_home(home)
    return dg.DagsterInstance.get()
