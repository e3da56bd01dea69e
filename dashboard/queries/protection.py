"""The protection page's figures: the protection indicators and the HCĐB children per group."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.serving import ORG_UNIT_NAMES, has_table, query

PROTECTION_INDICATORS = ("hcdb_supported", "abuse_timely_intervention", "injury_deaths")


def protection_indicators(period_type: str, period_key: str) -> pd.DataFrame:
    """The protection indicators per ward and the district for one period, with the catalogue's
    direction and target comparison (the row's target is the period's, e.g. 90% of 2024's deaths)."""
    marks = ", ".join("?" for _ in PROTECTION_INDICATORS)
    return query(
        f"""
        select f.org_unit_code, f.org_unit_name, f.org_unit_level, f.indicator_code,
               f.numerator, f.denominator, f.value, f.target, f.meets_target, f.baseline, f.suppressed,
               f.numerator_mark, f.denominator_mark, f.baseline_mark, f.value_mark,
               i.direction, i.target_comparison
        from fct_ward_indicators f
        join indicators i using (indicator_code)
        where f.indicator_code in ({marks}) and f.period_type = ? and f.period_key = ?
        order by f.org_unit_level = 'district', f.org_unit_name
        """,
        *PROTECTION_INDICATORS,
        period_type,
        period_key,
    )


def hcdb_children_groups() -> pd.DataFrame:
    """HCĐB children per ward × group on the latest register day (counts only); empty when the
    serving copy has no such table yet."""
    if not has_table("agg_hcdb_children_groups"):
        return pd.DataFrame()
    return query(
        f"""
        with {ORG_UNIT_NAMES}
        select a.as_of_date, a.ward_code, o.org_unit_name as ward_name, a.hcdb_group_code,
               a.group_sort_order, a.group_name_vi, a.group_name_en, a.children, a.children_supported
        from agg_hcdb_children_groups a
        left join org_units o on o.org_unit_code = a.ward_code
        where a.as_of_date = (select max(as_of_date) from agg_hcdb_children_groups)
        order by a.group_sort_order, ward_name
        """
    )
