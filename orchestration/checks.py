"""Asset checks of our own (dbt's tests arrive as checks through dagster-dbt). Blocking checks stop
the publish step: the dashboard keeps the last good serving copy."""

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import treem_dbt_assets
from orchestration.resources import WAREHOUSE_POOL, HomeResource

INDICATORS = get_asset_key_for_model([treem_dbt_assets], "fct_ward_indicators")

DISTRICT_MISMATCHES = """
with wards as (
    select period_type, period_key, indicator_code,
           sum(numerator) as numerator, sum(denominator) as denominator
    from marts.fct_ward_indicators where org_unit_level = 'ward' group by all
),
district as (
    select period_type, period_key, indicator_code, numerator, denominator
    from marts.fct_ward_indicators where org_unit_level = 'district'
)
select period_type, period_key, indicator_code,
       district.numerator as district_numerator, wards.numerator as wards_numerator,
       district.denominator as district_denominator, wards.denominator as wards_denominator
from wards full join district using (period_type, period_key, indicator_code)
where district.numerator is distinct from wards.numerator
   or district.denominator is distinct from wards.denominator
order by all
"""


def district_sum_result(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    """Every district row carries the sum of its wards' numerators and denominators."""
    mismatches = con.execute(DISTRICT_MISMATCHES).df()
    return dg.AssetCheckResult(
        passed=mismatches.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if mismatches.empty else f"{len(mismatches)} dòng quận khác tổng các phường",
        metadata={
            "mismatches": len(mismatches),
            "examples": dg.MetadataValue.md(
                mismatches.head(10).to_markdown(index=False) if len(mismatches) else ""
            ),
        },
    )


@dg.asset_check(
    asset=INDICATORS,
    blocking=True,
    pool=WAREHOUSE_POOL,
    description="The district row of each indicator and period sums its wards' numerators and denominators "
    "(never an average of ward percentages); a mismatch stops the publish.",
)
def district_is_the_sum_of_its_wards(treem_home: HomeResource) -> dg.AssetCheckResult:
    with treem_home.warehouse(read_only=True) as con:
        return district_sum_result(con)
