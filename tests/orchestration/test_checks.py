"""The dbt test that the district sums its wards, run by dbt on hand-made indicator rows."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import fresh_home
from tests.warehouse.dbt_results import dbt_test_results

TEST = "district_is_the_sum_of_its_wards"


def _home_with_indicators(tmp_path, district: tuple[int, int]):
    home = fresh_home(tmp_path / "home")
    con = duckdb.connect(str(home.warehouse))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_ward_indicators (org_unit_level varchar, period_type varchar, "
            "period_key varchar, indicator_code varchar, numerator bigint, denominator bigint)"
        )
        con.execute(
            "insert into marts.fct_ward_indicators values "
            "('ward', 'month', '2025-03', 'dtp_dropout', 3, 20), "
            "('ward', 'month', '2025-03', 'dtp_dropout', 1, 30), "
            "('district', 'month', '2025-03', 'dtp_dropout', ?, ?)",
            list(district),
        )
    finally:
        con.close()
    return home


@pytest.mark.parametrize(
    ("district", "status", "failures"),
    [
        ((4, 50), "pass", 0),  # 3 + 1 over 20 + 30
        ((2, 25), "fail", 1),  # the average of the wards' 15% and 3.3%, as counts
    ],
)
def test_the_district_row_is_the_sum_of_its_wards(pointed_env, tmp_path, district, status, failures):
    home = _home_with_indicators(tmp_path, district)
    results = dbt_test_results(home, pointed_env, TEST, tmp_path / "target")
    ((result,),) = [[r for r in results if r["unique_id"].endswith(TEST)]]
    assert (result["status"], result["failures"]) == (status, failures)
