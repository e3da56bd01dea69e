"""The dbt test that the district sums its wards, run by dbt on hand-made indicator rows."""

from __future__ import annotations

import duckdb

from tests.conftest import fresh_home
from tests.warehouse.dbt_results import dbt_test_results

TEST = "district_is_the_sum_of_its_wards"


def test_the_district_row_is_the_sum_of_its_wards_and_an_average_fails(pointed_env, tmp_path):
    """Two indicators, one dbt run: dtp_dropout's district row sums its wards (3 + 1 over 20 + 30) and
    passes; vitamin_a's district row is the average of its wards' 15% and 3.3% written as counts (2/25
    instead of 4/50): exactly that one row fails."""
    home = fresh_home(tmp_path / "home")
    con = duckdb.connect(str(home.warehouse))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_ward_indicators (org_unit_level varchar, period_type varchar, "
            "period_key varchar, indicator_code varchar, numerator bigint, denominator bigint)"
        )
        for indicator, district in (("dtp_dropout", (4, 50)), ("vitamin_a", (2, 25))):
            con.execute(
                "insert into marts.fct_ward_indicators values "
                "('ward', 'month', '2025-03', ?, 3, 20), ('ward', 'month', '2025-03', ?, 1, 30), "
                "('district', 'month', '2025-03', ?, ?, ?)",
                [indicator, indicator, indicator, *district],
            )
    finally:
        con.close()
    results = dbt_test_results(home, pointed_env, TEST, tmp_path / "target")
    ((result,),) = [[r for r in results if r["unique_id"].endswith(TEST)]]
    assert (result["status"], result["failures"]) == ("fail", 1)
