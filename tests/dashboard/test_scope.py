"""The query layer's views for each role: what each role reads of the report home's serving copy, and
the small protection counts hidden outside the protection role, worked out by hand on a small one."""

from __future__ import annotations

import os

import pytest

from access.roles import Role, Viewer
from dashboard import scope

pytestmark = pytest.mark.slow

LEADER = Viewer("a", "A", Role.DISTRICT_LEADER)
OFFICER = Viewer("b", "B", Role.WARD_OFFICER, "09541")
PROTECTION = Viewer("c", "C", Role.PROTECTION_OFFICER)
ENGINEER = Viewer("d", "D", Role.DATA_ENGINEER)
OFFICE = Viewer("e", "E", Role.OFFICE, "09541", "immunization")
DISTRICT_OFFICE = Viewer("f", "F", Role.OFFICE, None, "health_insurance")  # BHXH: one file for the district


def _read(home, viewer, sql: str) -> list[tuple]:
    con = scope.connect(home.serving, os.stat(home.serving).st_mtime, viewer)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _one(home, viewer, sql: str):
    return _read(home, viewer, sql)[0][0]


def test_a_ward_officer_reads_their_ward_and_the_district_only(report_home):
    assert {r[0] for r in _read(report_home, OFFICER, "select org_unit_code from fct_ward_indicators")} == {
        "09541",
        "268",
    }
    assert {r[0] for r in _read(report_home, OFFICER, "select ward_name from dim_ward")} == {"Mộ Lao"}
    for table in ("agg_immunization_ward_months", "agg_hcdb_children_groups", "fct_count_outliers"):
        assert {r[0] for r in _read(report_home, OFFICER, f"select distinct ward_code from {table}")} <= {
            "09541"
        }
    assert {
        r[0] for r in _read(report_home, OFFICER, "select distinct org_unit_code from fct_report_submissions")
    } == {"09541"}
    assert (
        _one(report_home, OFFICER, "select count(*) from agg_injury_ward_months") == 0
    )  # protection role only


def test_an_office_reads_only_its_own_reporting_record(report_home):
    con = scope.connect(report_home.serving, os.stat(report_home.serving).st_mtime, OFFICE)
    try:
        views = [
            r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()
        ]
        assert len(views) > 20 and "fct_ward_indicators" in views
        counts = {v: con.execute(f"select count(*) from {v}").fetchone()[0] for v in views}
        assert counts["fct_report_submissions"] > 0
        assert {v: n for v, n in counts.items() if v != "fct_report_submissions"} == dict.fromkeys(
            set(views) - {"fct_report_submissions"}, 0
        )
        own = con.execute("select distinct source, org_unit_code from fct_report_submissions").fetchall()
        assert own == [("immunization", "09541")]
    finally:
        con.close()
    rows = _read(
        report_home, DISTRICT_OFFICE, "select distinct source, org_unit_level from fct_report_submissions"
    )
    assert rows == [("health_insurance", "district")]


def test_what_only_data_engineers_and_protection_officers_read(report_home):
    quarantined = (
        "select count(latest_file_name) from agg_quality_ward_sources "
        "where latest_file_outcome = 'quarantined'"
    )
    assert _one(report_home, ENGINEER, quarantined) > 0  # the crafted file of the report home
    assert _one(report_home, LEADER, quarantined) == 0
    assert _one(report_home, ENGINEER, "select count(*) from gx_results") > 0
    assert _one(report_home, LEADER, "select count(*) from gx_results") == 0
    assert _one(report_home, PROTECTION, "select count(*) from agg_injury_ward_months") > 0
    assert _one(report_home, None, "select count(*) from fct_ward_indicators") == 0  # nobody signed in


def _hand_made_serving_copy(path) -> None:
    """Four wards and the district, the year and its first quarter: abuse cases and injury deaths with
    small counts."""
    import duckdb

    rows = [  # org unit, level, indicator, numerator, denominator, baseline
        ("W1", "ward", "abuse_timely_intervention", 2, 3, None),
        ("W2", "ward", "abuse_timely_intervention", 0, 0, None),
        ("W3", "ward", "abuse_timely_intervention", 6, 8, None),
        ("W4", "ward", "abuse_timely_intervention", 7, 9, None),
        ("268", "district", "abuse_timely_intervention", 15, 20, None),
        ("W1", "ward", "injury_deaths", 1, None, 0),
        ("W2", "ward", "injury_deaths", 0, None, 5),
        ("W3", "ward", "injury_deaths", 0, None, 2),
        ("W4", "ward", "injury_deaths", 0, None, 0),
        ("268", "district", "injury_deaths", 1, None, 7),
    ]
    con = duckdb.connect(str(path))
    con.execute(
        """
        create table fct_ward_indicators (
            org_unit_code varchar, org_unit_name varchar, org_unit_level varchar, period_key varchar,
            period_type varchar, period_start date, period_end date, indicator_code varchar,
            numerator bigint, denominator bigint, value double, target double, meets_target boolean,
            baseline bigint, member_rows bigint)
        """
    )
    con.execute(
        "create table indicators as select * from (values ('abuse_timely_intervention', "
        "'higher_is_better'), ('injury_deaths', 'lower_is_better')) as t(indicator_code, direction)"
    )
    for unit, level, code, num, den, base in rows:
        value = num / den if den else (num if code == "injury_deaths" else None)
        con.execute(
            "insert into fct_ward_indicators values (?, ?, ?, '2025', 'year', date '2025-01-01', "
            "date '2025-12-31', ?, ?, ?, ?, 1.0, null, ?, 3)",
            [unit, unit, level, code, num, den, value, base],
        )
        con.execute(  # the same figures for the first quarter, to show that only years are given
            "insert into fct_ward_indicators values (?, ?, ?, '2025-Q1', 'quarter', date '2025-01-01', "
            "date '2025-03-31', ?, ?, ?, ?, 1.0, null, ?, 3)",
            [unit, unit, level, code, num, den, value, base],
        )
    con.close()


def test_hidden_counts_worked_out_by_hand(tmp_path):
    path = tmp_path / "serving.duckdb"
    _hand_made_serving_copy(path)
    con = scope.connect(path, os.stat(path).st_mtime, LEADER)
    got = {
        (unit, code): cells
        for unit, code, *cells in con.execute(
            "select org_unit_code, indicator_code, coalesce(cast(numerator as varchar), numerator_mark), "
            "coalesce(cast(denominator as varchar), denominator_mark), "
            "coalesce(cast(baseline as varchar), baseline_mark), value_mark from fct_ward_indicators "
            "where period_type = 'year'"
        ).fetchall()
    }
    con.close()
    # abuse: W1's 3 cases (2 timely) are small; W2's zeros hide with them; a ward knowing W2's 0 would
    # still subtract, so W3's 8 (6) hides too, as "x"; W4 and the district stay
    assert [got[(w, "abuse_timely_intervention")][:2] for w in ("W1", "W2", "W3", "W4", "268")] == [
        ["<5", "<5"],
        ["<5", "<5"],
        ["x", "x"],
        ["7", "9"],
        ["15", "20"],
    ]
    assert got[("W1", "abuse_timely_intervention")][3] == "hidden"  # the rate, from hidden counts
    # deaths: W1's 1 and the district's 1 are small, and W2's 0 hides with them; the 2024 baseline:
    # W3's 2 with both zeros around it, W2's 5 and the district's 7 shown
    assert [got[(w, "injury_deaths")][0] for w in ("W1", "W2", "W3", "W4", "268")] == [
        "<5",
        "<5",
        "0",
        "0",
        "<5",
    ]
    assert [got[(w, "injury_deaths")][2] for w in ("W1", "W2", "W3", "W4", "268")] == [
        "<5",
        "5",
        "<5",
        "<5",
        "7",
    ]
    # a quarter inside the year would let one subtract: outside the protection role, years only
    quarter = (
        scope.connect(path, os.stat(path).st_mtime, LEADER)
        .execute(
            "select distinct numerator, denominator, baseline, member_rows, numerator_mark "
            "from fct_ward_indicators where period_type = 'quarter'"
        )
        .fetchall()
    )
    assert quarter == [(None, None, None, None, "hidden")]
    raw = scope.connect(path, os.stat(path).st_mtime, PROTECTION)
    assert raw.execute("select count(*) from fct_ward_indicators where suppressed").fetchone()[0] == 0
    raw.close()


def test_ranks_among_every_ward_whatever_the_viewer_sees(tmp_path):
    """Ranks are taken over every ward before the viewer's ward filter, from the figures the viewer may
    see: a ward's officer reads their ward's rank among all the wards with a figure shown, never "1/1";
    hidden figures are not ranked (their order would tell what is hidden)."""
    path = tmp_path / "serving.duckdb"
    _hand_made_serving_copy(path)

    def ranks(viewer, code):
        con = scope.connect(path, os.stat(path).st_mtime, viewer)
        try:
            return dict(
                (unit, (rank, out_of))
                for unit, rank, out_of in con.execute(
                    "select org_unit_code, ward_rank, wards_ranked from fct_ward_indicators "
                    "where period_key = '2025' and indicator_code = ?",
                    [code],
                ).fetchall()
            )
        finally:
            con.close()

    # protection role, every count: abuse W4 7/9 > W3 6/8 > W1 2/3, W2 has no case; deaths (lower is
    # better) W2, W3, W4 with 0 share the first place, W1 with 1 is fourth
    assert ranks(PROTECTION, "abuse_timely_intervention") == {
        "W1": (3, 3),
        "W2": (None, None),
        "W3": (2, 3),
        "W4": (1, 3),
        "268": (None, None),
    }
    assert ranks(PROTECTION, "injury_deaths") == {
        "W1": (4, 4),
        "W2": (1, 4),
        "W3": (1, 4),
        "W4": (1, 4),
        "268": (None, None),
    }
    # outside it, W1–W3's abuse figures and W1–W2's deaths are hidden: only the shown ones are ranked
    assert ranks(LEADER, "injury_deaths") == {
        "W1": (None, None),
        "W2": (None, None),
        "W3": (1, 2),
        "W4": (1, 2),
        "268": (None, None),
    }
    w4 = Viewer("e", "E", Role.WARD_OFFICER, "W4")
    assert ranks(w4, "abuse_timely_intervention") == {"W4": (1, 1), "268": (None, None)}
    assert ranks(w4, "injury_deaths") == {"W4": (1, 2), "268": (None, None)}
