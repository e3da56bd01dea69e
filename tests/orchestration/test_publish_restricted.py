"""Publish writes the child-level lists to a restricted file apart from the serving copy, which keeps
no child-level table or column. The publish module reads the dbt manifest on import, which a fresh
clone has only once `pointed_env` prepared it."""

from __future__ import annotations

import shutil

import duckdb


def _tables_and_columns(path) -> tuple[set, set]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns").fetchall()}
    finally:
        con.close()
    return tables, columns


def test_child_lists_go_to_the_restricted_file_only(fixture_home, tmp_path):
    from orchestration.assets.publish import publish_serving_copy

    home = fixture_home
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(home.warehouse, warehouse)  # never write next to the shared fixture home
    serving, restricted = tmp_path / "serving.duckdb", tmp_path / "serving_restricted.duckdb"

    counts = publish_serving_copy(warehouse, serving, restricted=restricted)
    assert restricted.exists() and not (tmp_path / "serving_restricted.duckdb.tmp").exists()
    tables, columns = _tables_and_columns(restricted)
    assert tables == {"child_reconciliation", "protection_cases", "restricted_meta"}
    assert "file_id" not in columns and "child_name" in columns
    con = duckdb.connect(str(restricted), read_only=True)
    try:
        rows = con.execute("select count(*) from child_reconciliation").fetchone()[0]
        con.execute("attach ? as serving (read_only)", [str(serving)])
        stamps = con.execute(
            "select (select publish_id from restricted_meta), (select publish_id from serving.serving_meta)"
        ).fetchone()
    finally:
        con.close()
    assert counts["restricted.child_reconciliation"] == rows
    assert stamps[0] and stamps[0] == stamps[1]  # one publish
    # the main serving copy still holds no child-level table or column
    tables, columns = _tables_and_columns(serving)
    assert "child_reconciliation" not in tables and "protection_cases" not in tables
    assert "agg_hcdb_children_groups" in tables
    assert not columns & {"child_name", "personal_id", "birth_date", "mother_name", "child_code", "case_id"}
