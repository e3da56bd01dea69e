"""The serving copy and the restricted file are published as one: both stamped with one publish id,
the restricted file renamed first and the serving copy last. A publish cut short at any point leaves a
pair the dashboard either reads as before or refuses the lists of (never lists of one run beside the
figures of another), and the next publish makes the pair whole again.

The warehouse is a small one made here: every published table a stub, the child lists by hand."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import duckdb
import pytest

from access.roles import Role, Viewer
from base.home import Home
from tests.conftest import power_cut

WARD_OFFICER = Viewer("lan", "Lan", Role.WARD_OFFICER, "09541")
PROTECTION_OFFICER = Viewer("hoa", "Hoa", Role.PROTECTION_OFFICER)
CHILD_COLUMNS = """
    as_of_date date, check_code varchar, ward_code varchar, member_key varchar, child_name varchar,
    mother_name varchar, birth_date date, sex varchar, residence varchar, age_months bigint,
    registration_date date, card_valid_to date, vaccine_code varchar, dose_number integer,
    due_date date, days_overdue bigint, hcdb_groups varchar, last_support_date date, source varchar
"""


def _warehouse(path, children: list[tuple[str, str, str]], cases: list[tuple[str, str]]) -> None:
    """A warehouse with every table the publish copies: stubs for the aggregates, and the given
    children (check, ward, name) and protection cases (case id, ward)."""
    from serving.contract import PUBLISHED_MODELS, PUBLISHED_SEEDS

    con = duckdb.connect(str(path))
    for schema in ("marts", "reference", "restricted", "raw"):
        con.execute(f"create schema if not exists {schema}")
    for table in PUBLISHED_MODELS:
        con.execute(f"create or replace table marts.{table} as select 1 as stub")
    for table in PUBLISHED_SEEDS:
        con.execute(f"create or replace table reference.{table} as select 1 as stub")
    con.execute(
        "create or replace table raw.file_registry as "
        "select timestamp '2025-04-05 09:00' as received_at, 'loaded' as outcome"
    )
    con.execute(f"create or replace table restricted.child_reconciliation ({CHILD_COLUMNS})")
    for i, (check, ward, name) in enumerate(children):
        con.execute(
            "insert into restricted.child_reconciliation (as_of_date, check_code, ward_code, member_key, "
            "child_name, birth_date) values (?, ?, ?, ?, ?, ?)",
            [dt.date(2025, 3, 31), check, ward, f"k{i}", name, dt.date(2024, 1, 1 + i)],
        )
    con.execute(
        "create or replace table marts.fct_protection_cases (file_id varchar, ward_code varchar, "
        "case_id varchar, child_code varchar, age integer, sex varchar, abuse_type varchar, "
        "reported_date date, intervened_date date, days_to_intervention integer, timely boolean, "
        "support_measure varchar, case_status varchar)"
    )
    for case_id, ward in cases:
        con.execute(
            "insert into marts.fct_protection_cases (file_id, ward_code, case_id, reported_date) "
            "values ('f1', ?, ?, date '2025-03-01')",
            [ward, case_id],
        )
    con.close()


BEFORE = (
    [("dose_overdue", "09541", "Nguyễn Văn An"), ("dose_overdue", "09542", "Lê Minh Khoa")],
    [("C1", "09541")],
)
AFTER = (  # the next run: two more children of Mộ Lao, one more case
    [
        ("dose_overdue", "09541", "Nguyễn Văn An"),
        ("dose_overdue", "09542", "Lê Minh Khoa"),
        ("born_not_registered", "09541", "Trần Thị Ánh"),
        ("under6_without_valid_card", "09541", "Phạm Gia Huy"),
    ],
    [("C1", "09541"), ("C2", "09542")],
)


@pytest.fixture
def home(pointed_env, tmp_path, monkeypatch) -> Home:
    """A home whose serving pair was published from the ``BEFORE`` warehouse, and whose warehouse now
    holds ``AFTER``'s lists (the next run built them)."""
    from orchestration.assets.publish import publish_serving_copy

    home = Home(tmp_path / "home")
    home.root.mkdir()
    _warehouse(home.warehouse, *BEFORE)
    publish_serving_copy(home.warehouse, home.serving, restricted=home.serving_restricted)
    _warehouse(home.warehouse, *AFTER)
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return home


def _as(monkeypatch, viewer: Viewer) -> None:
    from dashboard import auth

    monkeypatch.setattr(auth, "current_viewer", lambda: viewer)


def _stamp(path, table: str) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select publish_id from {table}").fetchone()[0]
    finally:
        con.close()


def _lists(monkeypatch) -> tuple[set[str], int, set[str]]:
    """What the dashboard lists: Mộ Lao's children and the ward's count (ward officer), every case
    (protection officer)."""
    from dashboard.queries import lists

    _as(monkeypatch, WARD_OFFICER)
    names = set(lists.child_list("09541")["child_name"])
    (listed,) = lists.restricted_wards()["children"]
    _as(monkeypatch, PROTECTION_OFFICER)
    return names, int(listed), set(lists.protection_cases()["case_id"])


def _refused(monkeypatch) -> None:
    """Every list query refuses, with the message, whoever asks."""
    from dashboard.queries import lists

    for viewer, read in [
        (WARD_OFFICER, lambda: lists.child_list("09541")),
        (WARD_OFFICER, lists.restricted_wards),
        (PROTECTION_OFFICER, lists.protection_cases),
    ]:
        _as(monkeypatch, viewer)
        with pytest.raises(lists.ListsOutOfStep) as refused:
            read()
        assert str(refused.value) == lists.LISTS_OUT_OF_STEP


def _publish(home: Home) -> dict[str, int]:
    from orchestration.assets.publish import publish_serving_copy

    return publish_serving_copy(home.warehouse, home.serving, restricted=home.serving_restricted)


def test_one_publish_stamps_both_files_alike_and_a_new_publish_anew(home, monkeypatch):
    first = _stamp(home.serving, "serving_meta")
    assert first and _stamp(home.serving_restricted, "restricted_meta") == first
    assert _lists(monkeypatch) == ({"Nguyễn Văn An"}, 1, {"C1"})

    counts = _publish(home)
    second = _stamp(home.serving, "serving_meta")
    assert second != first and _stamp(home.serving_restricted, "restricted_meta") == second
    assert (counts["restricted.child_reconciliation"], counts["restricted.protection_cases"]) == (4, 2)
    assert _lists(monkeypatch) == ({"Nguyễn Văn An", "Trần Thị Ánh", "Phạm Gia Huy"}, 3, {"C1", "C2"})
    assert os.stat(home.serving_restricted).st_mode & 0o777 == 0o600


def _crash_at_rename(monkeypatch, number: int) -> None:
    """os.replace in the publish fails at its ``number``-th call, as if the process were killed."""
    from orchestration.assets import publish

    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == number:
            power_cut()
        real(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace)


def test_killed_between_the_two_renames_the_lists_are_refused_until_the_next_publish(home, monkeypatch):
    before = _stamp(home.serving, "serving_meta")
    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        _crash_at_rename(patch, 2)
        _publish(home)
    # the restricted file went first: the new lists, beside the old figures, under another stamp
    assert _stamp(home.serving, "serving_meta") == before
    assert _stamp(home.serving_restricted, "restricted_meta") != before
    assert (home.root / "serving.duckdb.tmp").exists()
    _refused(monkeypatch)

    _publish(home)  # the next run's publish
    assert _stamp(home.serving, "serving_meta") == _stamp(home.serving_restricted, "restricted_meta")
    assert not list(home.root.glob("*.tmp*"))
    assert _lists(monkeypatch) == ({"Nguyễn Văn An", "Trần Thị Ánh", "Phạm Gia Huy"}, 3, {"C1", "C2"})


@pytest.mark.parametrize("point", ["first rename", "writing the serving copy"])
def test_killed_before_any_rename_the_published_pair_stays_as_it_was(home, monkeypatch, point):
    from orchestration.assets import publish

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        if point == "first rename":
            _crash_at_rename(patch, 1)
        else:
            patch.setattr(publish, "_write_serving", power_cut)
        _publish(home)
    assert _lists(monkeypatch) == ({"Nguyễn Văn An"}, 1, {"C1"})  # the old pair, whole
    assert (home.root / "serving_restricted.duckdb.tmp").exists()


def test_a_stale_staging_file_and_its_log_are_never_read(home, monkeypatch):
    """Staging files left by a publish killed mid-write, with a write-ahead log not yet checkpointed,
    are removed unread by the next publish."""
    for name in ("serving.duckdb.tmp", "serving_restricted.duckdb.tmp"):
        killed = (
            "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]); "
            "con.execute(\"set checkpoint_threshold = '1GB'\"); "
            "con.execute('create table left_by_a_crash as select 1 as n'); os._exit(9)"
        )
        subprocess.run([sys.executable, "-c", killed, str(home.root / name)], check=False)
        assert (home.root / f"{name}.wal").exists()
    _publish(home)
    assert not list(home.root.glob("*.tmp*"))
    for path in (home.serving, home.serving_restricted):
        con = duckdb.connect(str(path), read_only=True)
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        con.close()
        assert "left_by_a_crash" not in tables
    assert _lists(monkeypatch) == ({"Nguyễn Văn An", "Trần Thị Ánh", "Phạm Gia Huy"}, 3, {"C1", "C2"})


def test_an_unstamped_pair_from_before_the_stamps_is_refused(home, monkeypatch):
    """Files published before the stamps cannot be shown to be of one run: refused, both or one."""
    assert _lists(monkeypatch) == ({"Nguyễn Văn An"}, 1, {"C1"})  # the stamped pair is listed
    for path, table in ((home.serving_restricted, "restricted_meta"), (home.serving, "serving_meta")):
        con = duckdb.connect(str(path))
        con.execute(f"alter table {table} drop column publish_id")
        columns = {row[0] for row in con.execute(f"describe {table}").fetchall()}
        con.close()
        assert "publish_id" not in columns
        _refused(monkeypatch)
