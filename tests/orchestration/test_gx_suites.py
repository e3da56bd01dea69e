"""The Great Expectations suites of suites.yaml, run on small hand-made tables: each blocking
expectation of the indicator mart fails on the row built to break it, and the outcome names it."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from orchestration.quality.gx_suites import Expectation, Suite, load_suites, run_suite

NOW = dt.datetime(2026, 1, 20, 12, 0)


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute(
        "create schema marts; create schema staging; create schema raw; create schema reference; "
        "create schema intermediate"
    )
    connection.execute("create table intermediate.int_reporting_periods as select '2025-03' as period_key")
    connection.execute(
        "create table marts.dim_ward as select * from (values ('09541', '268', true), "
        "('09542', '268', true), ('09538', '268', false)) as t(ward_code, district_code, is_current)"
    )
    connection.execute(
        "create table marts.dim_indicator as select 'a' as indicator_code union all select 'b'"
    )
    # 3 org units × 1 period × 2 indicators: the full grid, clean
    connection.execute(
        """create table marts.fct_ward_indicators as select * from (values
        ('09541', '2025-03', 'a', 3, 4, 0.75), ('09542', '2025-03', 'a', 1, 2, 0.5),
        ('268', '2025-03', 'a', 4, 6, 0.6667), ('09541', '2025-03', 'b', 2, null, 2.0),
        ('09542', '2025-03', 'b', 0, null, 0.0), ('268', '2025-03', 'b', 2, null, 2.0)
        ) as t(org_unit_code, period_key, indicator_code, numerator, denominator, value)"""
    )
    connection.execute(
        "create table raw.file_registry as select * from (values ('f1', timestamp '2026-01-05 09:00'), "
        "('f2', timestamp '2025-10-01 09:00')) as t(file_id, received_at)"
    )
    yield connection
    connection.close()


def mart_suite() -> Suite:
    [suite] = [s for s in load_suites() if s.model == "fct_ward_indicators"]
    return suite


def failed(con, suite) -> dict[str, int | None]:
    return {o.expectation.label: o.unexpected_count for o in run_suite(con, suite, NOW).failed}


def test_the_clean_mart_passes_every_expectation(con):
    outcome = run_suite(con, mart_suite(), NOW)
    assert outcome.rows == 6
    assert outcome.failed == []
    assert len(outcome.outcomes) == 6


def test_a_share_above_100_percent_fails_and_blocks(con):
    con.execute(
        "update marts.fct_ward_indicators set numerator = 5, value = 1.25 "
        "where org_unit_code = '09541' and indicator_code = 'a'"
    )
    outcome = run_suite(con, mart_suite(), NOW)
    assert {o.expectation.label: o.unexpected_count for o in outcome.failed} == {
        "column_pair_values_a_to_be_greater_than_b(denominator, numerator)": 1,
        "column_values_to_be_between(value)": 1,
    }
    assert len(outcome.blocking_failed) == 2


def test_a_ward_missing_from_a_period_fails_the_grid(con):
    con.execute(
        "delete from marts.fct_ward_indicators where org_unit_code = '09542' and indicator_code = 'b'"
    )
    assert failed(con, mart_suite()) == {"table_row_count_to_equal()": None}


def test_a_period_missing_from_the_mart_fails_the_grid(con):
    con.execute("insert into intermediate.int_reporting_periods values ('2025-04')")
    assert failed(con, mart_suite()) == {"table_row_count_to_equal()": None}


def test_a_count_indicator_may_exceed_one_and_a_dropout_may_go_below_zero(con):
    con.execute("update marts.dim_indicator set indicator_code = 'dtp_dropout' where indicator_code = 'a'")
    con.execute(
        "update marts.fct_ward_indicators set indicator_code = 'dtp_dropout' where indicator_code = 'a'"
    )
    con.execute(
        "update marts.fct_ward_indicators set numerator = -1, value = -0.5 "
        "where org_unit_code = '09542' and indicator_code = 'dtp_dropout'"
    )
    assert failed(con, mart_suite()) == {}


def test_freshness_and_value_sets_on_a_staging_model(con):
    con.execute("create table reference.wards as select '09541' as ward_code")
    con.execute(
        "create table staging.stg_x as select * from (values "
        "('f1', '09541', 'M', timestamp '2026-01-05 09:00'), "
        "('f2', '09999', 'X', timestamp '2025-10-01 09:00')) "
        "as t(file_id, ward_code, sex, file_received_at)"
    )
    suite = Suite(
        "stg_x",
        (
            Expectation(
                "column_values_to_be_in_set",
                {"column": "ward_code", "value_set": {"seed": "wards.ward_code"}},
                True,
            ),
            Expectation("column_values_to_be_in_set", {"column": "sex", "value_set": ["M", "F"]}, False),
            Expectation(
                "column_max_to_be_between",
                {"column": "file_received_at", "min_value": {"days_ago": 10}},
                False,
            ),
        ),
    )
    outcome = run_suite(con, suite, NOW)
    assert {o.expectation.label: (o.success, o.unexpected_count) for o in outcome.outcomes} == {
        "column_values_to_be_in_set(ward_code)": (False, 1),
        "column_values_to_be_in_set(sex)": (False, 1),
        "column_max_to_be_between(file_received_at)": (False, None),  # newest file 15 days old
    }
    assert [o.expectation.label for o in outcome.blocking_failed] == ["column_values_to_be_in_set(ward_code)"]
    assert run_suite(con, suite, NOW - dt.timedelta(days=10)).outcomes[2].success


def test_an_empty_staging_model_has_nothing_to_check(con):
    con.execute("create table staging.stg_y (file_id varchar, sex varchar)")
    suite = Suite(
        "stg_y", (Expectation("column_values_to_be_in_set", {"column": "sex", "value_set": ["M"]}, True),)
    )
    outcome = run_suite(con, suite, NOW)
    assert (outcome.rows, outcome.outcomes) == (0, [])


def test_a_malformed_id_is_found_by_the_suites_sql_pattern(con):
    """The pattern of suites.yaml (GX has no regex for DuckDB: an unexpected_rows query) counts the
    IDs that are not 12 digits and leaves missing ones to the not-null expectation."""
    [doses] = [s for s in load_suites() if s.model == "stg_immunization__doses"]
    [pattern] = [e for e in doses.expectations if e.kind == "unexpected_rows"]
    con.execute(
        "create table staging.stg_z as select * from (values ('001234567890'), ('12345'), "
        "('00123456789X'), (null), ('0012345678901')) as t(child_id)"
    )
    outcome = run_suite(con, Suite("stg_z", (pattern,)), NOW)
    [result] = outcome.outcomes
    assert (result.success, result.unexpected_count, result.expectation.label) == (
        False,
        3,
        "unexpected_rows(child_id: 12 chữ số)",
    )
    assert outcome.rows == 5


DUPLICATES = """create table staging.stg_d as select * from (values
    ('f1', 'a', 1), ('f1', 'a', 2), ('f1', 'b', 3), ('f2', 'a', 4),
    ('f1', null, 5), ('f1', null, 6), (null, null, 7), (null, null, 8), (null, 'c', 9)
    ) as t(file_id, child_id, source_row)"""


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # (f1, a) twice: 2 rows; rows with a missing value are skipped
        ({"column_list": ["file_id", "child_id"], "ignore_row_if": "any_value_is_missing"}, 2),
        # GX's default skips a row only when every value is missing: (f1, null) twice counts too
        ({"column_list": ["file_id", "child_id"]}, 4),
        ({"column_list": ["file_id", "child_id"], "ignore_row_if": "never"}, 6),
        # one column: a missing value is never a duplicate; f1 five times, (null) three times
        ({"column": "file_id"}, 5),
        ({"column": "child_id"}, 3),  # a three times
    ],
)
def test_uniqueness_counts_every_row_of_a_repeated_key_as_gx_does(con, arguments, expected):
    """The uniqueness expectations run as one window query (GX's own SQL for them is two passes over
    the view per statement) and count what GX's own expectation counts: each row of a repeated key."""
    import great_expectations as gx

    con.execute(DUPLICATES)
    kind = "compound_columns_to_be_unique" if "column_list" in arguments else "column_values_to_be_unique"
    outcome = run_suite(con, Suite("stg_d", (Expectation(kind, arguments, True),)), NOW)
    [result] = outcome.outcomes
    assert (result.success, result.unexpected_count, result.element_count) == (False, expected, 9)
    assert result.unexpected_percent == pytest.approx(100 * expected / 9)
    assert result.expectation.label == f"{kind}({', '.join(result.expectation.columns)})"
    assert [o.expectation.label for o in outcome.blocking_failed] == [result.expectation.label]

    # GX's own expectation on a pandas copy of the same rows gives the same count
    frame = con.execute("select * from staging.stg_d").df()
    batch = (
        gx.get_context(mode="ephemeral")
        .data_sources.add_pandas("p")
        .add_dataframe_asset("d")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    words = "".join(part.capitalize() for part in kind.split("_"))
    own = batch.validate(getattr(gx.expectations, "Expect" + words)(**arguments))
    assert own.result["unexpected_count"] == expected


def test_a_uniqueness_expectation_takes_no_other_argument(con):
    con.execute(DUPLICATES)
    suite = Suite(
        "stg_d", (Expectation("column_values_to_be_unique", {"column": "file_id", "mostly": 0.9}, True),)
    )
    with pytest.raises(ValueError, match="column_values_to_be_unique"):
        run_suite(con, suite, NOW)
