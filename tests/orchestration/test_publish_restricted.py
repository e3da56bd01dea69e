"""Publish writes the restricted serving file of child lists only when the lists are enabled. The publish
module reads the dbt manifest on import, which a fresh clone has only once `pointed_env` prepared it."""

from __future__ import annotations

import shutil

import duckdb


def test_restricted_file_only_when_enabled(fixture_pipeline, tmp_path, monkeypatch):
    from orchestration.assets.publish import publish_serving_copy

    home, _ = fixture_pipeline
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(home.warehouse, warehouse)  # never write next to the shared fixture home
    serving, restricted = tmp_path / "serving.duckdb", tmp_path / "serving_restricted.duckdb"

    monkeypatch.delenv("TREEM_DASHBOARD_CHILD_LISTS", raising=False)
    counts = publish_serving_copy(warehouse, serving, restricted=restricted)
    assert serving.exists() and not restricted.exists()
    assert not any(name.startswith("restricted.") for name in counts)

    monkeypatch.setenv("TREEM_DASHBOARD_CHILD_LISTS", "1")
    counts = publish_serving_copy(warehouse, serving, restricted=restricted)
    assert restricted.exists() and not (tmp_path / "serving_restricted.duckdb.tmp").exists()
    con = duckdb.connect(str(restricted), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        rows = con.execute("select count(*) from child_reconciliation").fetchone()[0]
    finally:
        con.close()
    assert tables == {"child_reconciliation", "restricted_meta"}
    assert counts["restricted.child_reconciliation"] == rows
    # the main serving copy still holds no child-level table or column
    con = duckdb.connect(str(serving), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns").fetchall()}
    finally:
        con.close()
    assert "child_reconciliation" not in tables and "agg_hcdb_children_groups" in tables
    assert not columns & {"child_name", "personal_id", "birth_date", "mother_name"}

    # disabled again: the old restricted file is removed
    monkeypatch.setenv("TREEM_DASHBOARD_CHILD_LISTS", "0")
    publish_serving_copy(warehouse, serving, restricted=restricted)
    assert not restricted.exists()


def test_explicit_switch_overrides_the_environment(fixture_pipeline, tmp_path, monkeypatch):
    from orchestration.assets.publish import publish_serving_copy

    home, _ = fixture_pipeline
    monkeypatch.setenv("TREEM_DASHBOARD_CHILD_LISTS", "1")
    restricted = tmp_path / "r.duckdb"
    publish_serving_copy(home.warehouse, tmp_path / "s.duckdb", restricted=restricted, child_lists=False)
    assert not restricted.exists()
