"""`treem rebuild` after the warehouse is lost: the new warehouse, made from the stored files alone,
publishes the very tables the lost one did."""

from __future__ import annotations

import pytest

from demo import generate
from ingestion.rebuild import warehouse_problem
from orchestration.run_once import run_pipeline
from tests.conftest import fresh_home, use
from tests.pipeline_state import published_state, raw_state, stored_state
from treem.cli import main

pytestmark = pytest.mark.slow


def test_a_lost_warehouse_rebuilt_from_the_archive_publishes_the_same_tables(pointed_env, tmp_path, capsys):
    """Both runs must fall on one calendar day: submissions still pending and the reporting periods
    under way are counted against today's date."""
    home = fresh_home(tmp_path / "home")
    generate(home.root, seed=7, scale=0.02, messy=0.1)
    use(home)
    try:
        first = run_pipeline(home)
        assert first.success and not first.blocking_failed, first
        published, raw, stored = published_state(home), raw_state(home), stored_state(home)

        home.warehouse.unlink()
        assert "`treem rebuild`" in warehouse_problem(home)
        capsys.readouterr()
        assert main(["--home", str(home.root), "rebuild"]) == 0
        printed = capsys.readouterr().out
    finally:
        use(pointed_env)
    files = len([name for name in stored if name.endswith(".registry.json")])
    assert f"Nạp lại {files} tệp theo thứ tự của sổ đăng ký" in printed
    assert f"khớp sổ đăng ký cũ ở cả {files} tệp đã biết" in printed
    assert warehouse_problem(home) is None
    assert raw_state(home) == raw
    assert stored_state(home) == stored
    assert published_state(home) == published
