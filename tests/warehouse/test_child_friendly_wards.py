"""agg_child_friendly_wards, the per-ward standing the dashboard shows for child_friendly_ward: its dbt
unit tests (hand-made scores: 935 points and 13/13 met, a criterion at 0, 12 criteria, exactly 900, a
criterion not met, too few points, a merged ward's old assessment), the only place of the standard's
rule (the indicator's members read these standings); then, on the demo, the published standings
against the published indicator."""

from __future__ import annotations

import duckdb
import pytest

from tests.warehouse.dbt_results import dbt_test_results

UNIT_TESTS = (
    "child_friendly_wards_points_criteria_and_standing",
    "child_friendly_wards_rule_on_three_criteria",
)


@pytest.mark.slow  # the fast suite runs every unit test at once (test_dbt_unit_tests.py)
def test_the_marts_unit_tests_pass(fixture_home, pointed_env, tmp_path):
    home = fixture_home
    results = dbt_test_results(home, pointed_env, "agg_child_friendly_wards", tmp_path / "target")
    status = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    assert all(status[name] == "pass" for name in UNIT_TESTS), status
    assert set(status.values()) == {"pass"}, status


@pytest.mark.slow
def test_the_published_standings_agree_with_the_published_indicator(report_home):
    """At every ward figure of child_friendly_ward, the ward's latest own assessment of a year up to the
    period's end meets the standard exactly when the ward is in the numerator; the demo has wards on
    both sides (a ward with a criterion at 0 points does not meet it)."""
    con = duckdb.connect(str(report_home.serving), read_only=True)
    try:
        rows = con.execute(
            """
            select f.org_unit_code, f.period_key, f.numerator, a.meets_standard, a.total_points,
                   a.criteria_met, a.criteria_required
            from fct_ward_indicators f
            left join agg_child_friendly_wards a
              on a.ward_code = f.org_unit_code and a.assessment_year <= year(f.period_end)
            where f.indicator_code = 'child_friendly_ward' and f.org_unit_level = 'ward'
              and f.member_rows > 0
            qualify row_number() over (
                partition by f.org_unit_code, f.period_key order by a.assessment_year desc nulls last
            ) = 1
            """
        ).fetchall()
        standings = con.execute(
            "select meets_standard, total_points, criteria_met, criteria_required "
            "from agg_child_friendly_wards"
        ).fetchall()
    finally:
        con.close()
    assert rows, "the demo has child-friendly self-assessments"
    assert all(numerator == int(bool(meets)) for _, _, numerator, meets, *_ in rows)
    assert {meets for meets, *_ in standings} == {True, False}
    # the rule: a ward meeting the standard has every criterion met and at least 900 points
    assert all(met == required and points >= 900 for meets, points, met, required in standings if meets)
