"""The serving copy's contract: its table lists agree with one another, a reader refuses a copy that is
missing, unreadable or older than what it needs, and the two files pair only on one publish stamp."""

from __future__ import annotations

import duckdb
import pytest

from base.errors import UserError
from serving.contract import (
    PUBLISHED_MODELS,
    PUBLISHED_SEEDS,
    RESTRICTED_TABLES,
    WARD_COLUMNS,
    open_serving,
    pair_is_current,
)


def test_every_table_with_a_ward_column_is_published():
    published = set(PUBLISHED_MODELS) | set(PUBLISHED_SEEDS) | set(RESTRICTED_TABLES)
    assert set(WARD_COLUMNS) <= published
    assert not set(PUBLISHED_MODELS) & set(RESTRICTED_TABLES)  # a child list is never in the serving copy


def _copy(path, columns: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(f"create table dim_indicator ({columns})")
    con.close()


def test_a_missing_copy_says_to_run_first(tmp_path):
    with pytest.raises(UserError, match="Chưa có bản phục vụ .*: hãy chạy `treem run` trước."):
        open_serving(tmp_path / "serving.duckdb")


def test_an_older_copy_names_what_it_lacks(tmp_path):
    path = tmp_path / "serving.duckdb"
    _copy(path, "indicator_code varchar, direction varchar")
    needs = [
        ("dim_indicator", "direction"),
        ("dim_indicator", "target_comparison"),
        ("dim_ward", "ward_code"),
    ]
    with pytest.raises(UserError) as raised:
        open_serving(path, needs)
    assert "thiếu dim_indicator.target_comparison, dim_ward.ward_code: hãy chạy lại `treem run`" in str(
        raised.value
    )
    con = open_serving(path, needs[:1])  # what this reader needs is there
    assert con.execute("select count(*) from dim_indicator").fetchone() == (0,)
    con.close()


def test_a_file_that_is_not_duckdb_is_refused(tmp_path):
    path = tmp_path / "serving.duckdb"
    path.write_bytes(b"not a database")
    with pytest.raises(UserError, match="Không mở được bản phục vụ"):
        open_serving(path)


@pytest.mark.parametrize(
    ("lists_id", "serving_id", "paired"),
    [("a1", "a1", True), ("a1", "b2", False), (None, "a1", False)],
)
def test_the_pair_is_current_only_on_one_stamp(tmp_path, lists_id, serving_id, paired):
    con = duckdb.connect()
    con.execute(f"attach '{tmp_path / 'lists.duckdb'}' as lists")
    con.execute(f"attach '{tmp_path / 'serving.duckdb'}' as serving")
    if lists_id is None:  # a file published before the stamps
        con.execute("create table lists.restricted_meta as select now() as published_at")
    else:
        con.execute("create table lists.restricted_meta as select ? as publish_id", [lists_id])
    con.execute("create table serving.serving_meta as select ? as publish_id", [serving_id])
    assert pair_is_current(con, "lists", "serving") is paired
    con.close()
