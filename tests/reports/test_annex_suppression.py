"""The protection annex of a hand-made district: every hidden cell worked out by hand."""

from __future__ import annotations

from reports.annexes import protection_sheet
from reports.data import ReportData, Ward
from tests.reports.hand_made import WARDS, report_data


def _data(protection: dict, injuries: dict, ward: Ward | None = None) -> ReportData:
    return report_data(
        ward,
        abuse_types=[{"code": "physical", "name_vi": "Thể chất"}, {"code": "sexual", "name_vi": "Tình dục"}],
        protection={k: {"cases": c, "cases_timely": t} for k, (c, t) in protection.items()},
        injuries={k: {"events": e, "deaths": d} for k, (e, d) in injuries.items()},
    )


PROTECTION = {
    ("1", "physical"): (6, 6),
    ("1", "sexual"): (2, 1),
    ("2", "physical"): (9, 8),
    ("3", "physical"): (7, 7),
    ("3", "sexual"): (0, 0),
}
INJURIES = {("1", "fall"): (12, 0), ("2", "fall"): (20, 1), ("3", "fall"): (15, 0)}


def _tables(data: ReportData) -> tuple:
    wards, types, causes = protection_sheet(data).tables
    return wards, {r["name"]: r["count"] for r in types.rows}, {r["name"]: r["count"] for r in causes.rows}


def test_district_edition_hides_small_counts_and_their_partners():
    wards, types, causes = _tables(_data(PROTECTION, INJURIES))
    keys = ("cases", "timely", "timely_share", "events", "deaths")
    grid = {row["name"]: {k: row[k] for k in keys} for row in wards.rows}
    # by hand: the only small ward count is B's 1 death (total 1). The total is small too; B, knowing
    # its own 1, would read the total as 1 unless one more cell hides with them: A's 0 (first zero)
    assert grid == {
        "A": {"cases": 8, "timely": 7, "timely_share": 7 / 8, "events": 12, "deaths": "<5"},
        "B": {"cases": 9, "timely": 8, "timely_share": 8 / 9, "events": 20, "deaths": "<5"},
        "C": {"cases": 7, "timely": 7, "timely_share": 1.0, "events": 15, "deaths": 0},
    }
    assert wards.total["deaths"] == "<5"
    assert all(type(wards.total[k]).__name__ == "Sum" for k in ("cases", "timely", "events"))
    # the district's 2 sexual-abuse cases: with the total of 24 shown, the only other type is concealed
    assert types == {"Thể chất": "x", "Tình dục": "<5"}
    assert causes == {"Ngã": 47}


def test_a_lone_small_ward_takes_two_partners_and_the_total_becomes_a_number():
    wards, types, _ = _tables(
        _data({("1", "physical"): (3, 3), ("2", "physical"): (9, 9), ("3", "physical"): (6, 6)}, {})
    )
    # 3 needs two partners (a ward knowing its own count must still face two unknowns): 6 and 9
    assert [r["cases"] for r in wards.rows] == ["<5", "x", "x"]
    assert wards.total["cases"] == 18  # the true total, written as a number
    assert [r["timely_share"] for r in wards.rows] == ["–", "–", "–"]
    assert types == {"Thể chất": 18, "Tình dục": 0}


def test_a_wards_edition_shows_its_own_small_counts():
    own = {k: v for k, v in PROTECTION.items() if k[0] == "1"}  # as the loader reads a ward's edition
    wards, types, causes = _tables(_data(own, {k: v for k, v in INJURIES.items() if k[0] == "1"}, WARDS[0]))
    assert wards.total is None
    assert [(r["cases"], r["timely"], r["deaths"]) for r in wards.rows] == [(8, 7, 0)]
    assert types == {"Thể chất": 6, "Tình dục": 2}  # A's own
