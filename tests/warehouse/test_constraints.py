"""The not-null, non-negative and accepted-values rules of the contracted models are constraints DuckDB
enforces when dbt builds the table (a model with a null key, a negative count or an unknown code fails
its build and keeps its last good table), not data tests run after it: each constraint of the manifest
is on the built table, and a row breaking one is refused."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest


@pytest.fixture(scope="module")
def manifest(fixture_home) -> dict:
    return json.loads((fixture_home.dbt_target / "manifest.json").read_text(encoding="utf-8"))


def declared(manifest: dict) -> set[tuple[str, str, str]]:
    """(table, column, 'NOT NULL' or a check's expression): each column constraint of a contracted model."""
    found = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["contract"]["enforced"]:
            continue
        for column in node["columns"].values():
            for constraint in column.get("constraints", []):
                kind = "NOT NULL" if constraint["type"] == "not_null" else constraint.get("expression")
                found.add((node["alias"], column["name"], kind))
    return found


def test_the_member_models_and_counts_are_guarded_by_constraints(manifest):
    guarded = declared(manifest)
    for suffix in (
        "birth_registration",
        "child_friendly",
        "immunisation",
        "protection",
        "stock",
        "vitamin_a",
    ):
        table = f"fct_indicator_members_{suffix}"
        for column in ("indicator_code", "ward_code", "member_key", "numerator", "denominator", "baseline"):
            assert (table, column, "NOT NULL") in guarded
        assert (table, "baseline", "baseline >= 0") in guarded
    assert ("agg_injury_ward_months", "deaths", "deaths >= 0") in guarded
    assert ("dim_child", "sex", "sex in ('M', 'F')") in guarded
    assert ("fct_vitamin_a_doses", "dose_iu", "dose_iu in (100000, 200000)") in guarded
    # no data test is left doing a constraint's work on a contracted model, but for a rule new since
    # an incremental model was built (accepted values): its table keeps the constraints it was built with
    nodes = manifest["nodes"]
    contracted = {k for k, n in nodes.items() if n.get("contract", {}).get("enforced")}
    incremental = {k for k, n in nodes.items() if n["config"].get("materialized") == "incremental"}
    rules = {"not_null": contracted, "non_negative": contracted, "accepted_values": contracted - incremental}
    doubled = [
        n["name"]
        for n in nodes.values()
        if n["resource_type"] == "test"
        and n.get("attached_node") in rules.get((n.get("test_metadata") or {}).get("name"), set())
        and not n["config"].get("where")
        and n["config"]["severity"].lower() == "error"
    ]
    assert doubled == []


def _plain(expression: str) -> str:
    """A check's expression without what DuckDB adds when it writes it back: case, quotes, brackets."""
    return re.sub(r'[\s"()]', "", expression.lower())


def test_every_declared_constraint_is_on_the_built_table(fixture_home, manifest):
    with duckdb.connect(str(fixture_home.warehouse), read_only=True) as con:
        built = {
            (table, column, "NOT NULL" if kind == "NOT NULL" else _plain(expression))
            for table, column, kind, expression in con.execute(
                "select table_name, unnest(constraint_column_names), constraint_type, expression "
                "from duckdb_constraints() where constraint_type in ('NOT NULL', 'CHECK')"
            ).fetchall()
        }
    expected = {(t, c, kind if kind == "NOT NULL" else _plain(kind)) for t, c, kind in declared(manifest)}
    assert ("dim_child", "sex", "sexin'm','f'") in expected
    assert expected - built == set()


VALID = {
    "indicator_code": "bhyt_under6_coverage",
    "ward_code": "09541",
    "as_of_date": "2025-06-30",
    "event_date": None,
    "member_key": "c1",
    "numerator": 1,
    "denominator": 1,
    "baseline": 0,
}


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("numerator", None),
        ("numerator", -1),
        ("ward_code", None),
        ("baseline", -2),
        ("indicator_code", "vitamin_a_coverage"),  # a code of another member model
    ],
)
def test_a_row_breaking_a_constraint_is_refused(fixture_home, tmp_path, column, value):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(fixture_home.warehouse, copy)
    columns, marks = ", ".join(VALID), ", ".join("?" * len(VALID))
    insert = f"insert into marts.fct_indicator_members_stock ({columns}) values ({marks})"
    with duckdb.connect(str(copy)) as con:
        with pytest.raises(duckdb.ConstraintException):
            con.execute(insert, list({**VALID, column: value}.values()))
        con.execute(insert, list(VALID.values()))  # the valid row goes in
