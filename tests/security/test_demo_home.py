"""A demo home made by the command line, as a user makes it (`treem generate`, `treem run`, `treem user
add`): no path in it is readable by another user, and the ward officers' follow-up lists carry no HCĐB
group."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import duckdb
import pytest

from base.home import PROJECT_ROOT, Home

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("demo") / "data")
    env = {**os.environ, "TREEM_HOME": str(home.root)}
    env.pop("TREEM_GROUP", None)
    env.pop("DAGSTER_HOME", None)
    treem = [sys.executable, "-m", "treem.cli"]
    for args, stdin in (
        (["generate", "--scale", "0.02", "--seed", "7"], None),
        (["run"], None),
        (
            ["user", "add", "lan", "--role", "ward_officer", "--ward", "09541", "--password-stdin"],
            "mat-khau-dung-1\n",
        ),
        (["report", "--period", "2025-BCT-6T"], None),
    ):
        subprocess.run(
            [*treem, *args],
            input=stdin,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
    return home


def test_no_path_in_a_demo_home_is_readable_by_another_user(demo_home):
    paths = [demo_home.root, *demo_home.root.rglob("*")]
    assert len(paths) > 1000  # the generated extracts, archive, warehouse, Dagster's home, reports…
    kinds = {p.relative_to(demo_home.root).parts[0] for p in paths[1:]}
    assert {"inbox", "archive", "dagster", "reports", "generated"} <= kinds
    assert {"warehouse.duckdb", "serving.duckdb", "serving_restricted.duckdb", "audit.sqlite"} <= kinds
    open_to_others = {
        str(p.relative_to(demo_home.root)): oct(stat.S_IMODE(p.lstat().st_mode))
        for p in paths
        if not p.is_symlink() and stat.S_IMODE(p.lstat().st_mode) & 0o077
    }
    assert open_to_others == {}


def test_follow_up_lists_carry_no_hcdb_group(demo_home):
    with duckdb.connect(str(demo_home.serving_restricted), read_only=True) as con:
        columns = {row[0] for row in con.execute("describe child_reconciliation").fetchall()}
        listed = con.execute(
            "select count(*) from child_reconciliation where check_code = 'hcdb_not_supported'"
        ).fetchone()[0]
    with duckdb.connect(str(demo_home.warehouse), read_only=True) as con:
        registered = con.execute(
            "select count(*) from raw.child_register where regexp_matches(hcdb_groups, '[đegiklm]')"
        ).fetchone()[0]
    assert registered > 0 and listed > 0  # children in sensitive groups, and HCĐB children listed
    assert "child_name" in columns and not [c for c in columns if "hcdb" in c or "group" in c]
