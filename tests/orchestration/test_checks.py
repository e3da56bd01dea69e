"""The blocking check that the district sums its wards, on hand-made indicator rows."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("create schema marts")
    connection.execute(
        "create table marts.fct_ward_indicators (org_unit_level varchar, period_type varchar, "
        "period_key varchar, indicator_code varchar, numerator bigint, denominator bigint)"
    )
    connection.execute(
        """insert into marts.fct_ward_indicators values
        ('ward', 'month', '2025-03', 'dtp_dropout', 3, 20),
        ('ward', 'month', '2025-03', 'dtp_dropout', 1, 30),
        ('district', 'month', '2025-03', 'dtp_dropout', 4, 50)"""
    )
    yield connection
    connection.close()


def test_passes_when_the_district_is_the_sum(pointed_env, con):
    from orchestration.checks import district_sum_result

    result = district_sum_result(con)
    assert result.passed
    assert result.metadata["mismatches"].value == 0


def test_fails_when_the_district_averages_ward_percentages(pointed_env, con):
    from orchestration.checks import district_is_the_sum_of_its_wards, district_sum_result

    con.execute(
        "update marts.fct_ward_indicators set numerator = 2, denominator = 25 "
        "where org_unit_level = 'district'"
    )
    result = district_sum_result(con)
    assert not result.passed
    assert result.metadata["mismatches"].value == 1
    assert "| month         | 2025-03" in result.metadata["examples"].value
    assert [spec.blocking for spec in district_is_the_sum_of_its_wards.check_specs] == [True]
