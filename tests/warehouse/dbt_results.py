"""Run `dbt test` on a built fixture home and read what each test gave."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.dbt_project import dbt_resource
from tests.conftest import use


def dbt_test_results(home, pointed_env, select: str, target: Path) -> list[dict]:
    """`dbt test --select SELECT` on ``home``'s warehouse (the environment pointed back after); the
    results of run_results.json, one per test."""
    use(home)
    try:
        dbt_resource().cli(["test", "--select", select], target_path=target, raise_on_error=False).wait()
    finally:
        use(pointed_env)
    return json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
