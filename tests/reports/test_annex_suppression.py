"""The protection annex of a hand-made district: every hidden cell worked out by hand."""

from __future__ import annotations

import datetime as dt

from reports.annexes import protection_sheet
from reports.data import ReportData, ReportPeriod, Ward

WARDS = [Ward("1", "A"), Ward("2", "B"), Ward("3", "C")]


def _data(protection: dict, injuries: dict, ward: Ward | None = None) -> ReportData:
    return ReportData(
        period=ReportPeriod(
            "R", "Báo cáo thử", dt.date(2025, 1, 1), dt.date(2025, 4, 30), dt.date(2025, 5, 12), "x"
        ),
        ward=ward,
        wards=[ward] if ward else WARDS,
        district_name="Thử",
        data_as_of=None,
        indicators=[],
        catalogue=[],
        vaccines=[],
        doses={},
        hcdb_groups=[],
        hcdb={},
        abuse_types=[{"code": "physical", "name_vi": "Thể chất"}, {"code": "sexual", "name_vi": "Tình dục"}],
        injury_causes=[{"code": "fall", "name_vi": "Ngã"}],
        protection={k: {"cases": c, "cases_timely": t} for k, (c, t) in protection.items()},
        injuries={k: {"events": e, "deaths": d} for k, (e, d) in injuries.items()},
        submissions=[],
    )


PROTECTION = {
    ("1", "physical"): (6, 6),
    ("1", "sexual"): (2, 1),
    ("2", "physical"): (9, 8),
    ("3", "physical"): (7, 7),
    ("3", "sexual"): (0, 0),
}
INJURIES = {("1", "fall"): (12, 0), ("2", "fall"): (20, 1), ("3", "fall"): (15, 0)}


def test_district_edition_hides_small_counts_and_their_partners():
    table = protection_sheet(_data(PROTECTION, INJURIES)).tables[0]
    keys = ("cases", "a:physical", "a:sexual", "timely", "timely_share", "deaths")
    grid = {row["name"]: {k: row[k] for k in keys} for row in table.rows}
    # by hand: A's 2 sexual cases, B's 1 death and the district's 2 sexual cases and 1 death are small.
    # A's cases (8 = physical + sexual) would give its 2 away: its physical 6 is concealed ("x", not "<5":
    # it is not small). The district row (24 = 22 + 2) likewise conceals its physical total. Deaths: B's 1
    # and the total 1 are both hidden, so nothing else is needed there.
    assert grid == {
        "A": {
            "cases": 8,
            "a:physical": "x",
            "a:sexual": "<5",
            "timely": 7,
            "timely_share": 7 / 8,
            "deaths": 0,
        },
        "B": {"cases": 9, "a:physical": 9, "a:sexual": 0, "timely": 8, "timely_share": 8 / 9, "deaths": "<5"},
        "C": {"cases": 7, "a:physical": 7, "a:sexual": 0, "timely": 7, "timely_share": 1.0, "deaths": 0},
    }
    assert {k: table.total[k] for k in ("a:physical", "a:sexual", "deaths")} == {
        "a:physical": "x",
        "a:sexual": "<5",
        "deaths": "<5",
    }
    # columns with nothing hidden keep their sum formulas
    assert all(type(table.total[k]).__name__ == "Sum" for k in ("cases", "timely", "events", "i:fall"))


def test_a_lone_small_cell_in_a_column_takes_the_smallest_other_and_the_total_becomes_a_value():
    table = protection_sheet(
        _data({("1", "physical"): (3, 3), ("2", "physical"): (9, 9), ("3", "physical"): (6, 6)}, {})
    ).tables[0]
    assert [r["a:physical"] for r in table.rows] == ["<5", 9, "x"]  # 6 < 9 goes with the 3
    assert table.total["a:physical"] == 18  # the true total, written as a number
    assert [r["timely_share"] for r in table.rows] == ["–", 1.0, "–"]


def test_a_wards_edition_shows_its_own_small_counts():
    table = protection_sheet(_data(PROTECTION, INJURIES, WARDS[0])).tables[0]
    assert table.total is None
    assert [(r["cases"], r["a:sexual"], r["timely"], r["deaths"]) for r in table.rows] == [(8, 2, 7, 0)]
