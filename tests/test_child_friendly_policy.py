"""What a reader outside the protection role may be told of the child-friendly cross-check
(policy.child_friendly.withheld), on hand-made rows: a criterion read from a hidden count loses its score
on the data and its verdict; a ward's standing on the data is told only when a criterion the reader sees
settles it; totals and counts of criteria never give a hidden one back."""

from __future__ import annotations

import pandas as pd

from policy.child_friendly import HIDDEN, figure_text, withheld


def _criterion(ward: str, n: int, own: int, data: int | None, verdict: str, met: bool) -> dict:
    return {
        "ward_code": ward,
        "assessment_year": 2025,
        "criterion": n,
        "self_score": own,
        "data_score": data,
        "verdict": verdict,
        "score_difference": None if data is None else own - data,
        "score_on_data": own if data is None else data,
        "met_on_data": met,
    }


def _part(ward: str, n: int, code: str, numerator: int, denominator: int | None, points: int | None) -> dict:
    return {
        "ward_code": ward,
        "assessment_year": 2025,
        "criterion": n,
        "part": 1,
        "indicator_code": code,
        "period_key": "2025",
        "numerator": numerator,
        "denominator": denominator,
        "value": None,
        "points": points,
        "missing_reason": None if points is not None else "files_missing",
    }


CRITERIA = pd.DataFrame(
    [
        _criterion("A", 3, 100, 100, "agrees", True),  # 0 abuse cases, hidden beside a neighbour's 3
        _criterion("A", 7, 50, 0, "over_scored", False),
        _criterion("C", 5, 75, 75, "agrees", True),  # 0 deaths, hidden
        _criterion("C", 7, 50, 50, "agrees", True),
        _criterion("D", 3, 100, None, "no_data", True),  # a protection file missing: no score to hide
    ]
)
EVIDENCE = pd.DataFrame(
    [
        _part("A", 3, "abuse_timely_intervention", 0, 0, 100),
        _part("A", 7, "fully_immunised_under1", 96, 100, 0),
        _part("C", 5, "injury_deaths", 0, None, 75),
        _part("C", 7, "fully_immunised_under1", 49, 50, 50),
        _part("D", 3, "abuse_timely_intervention", 0, 0, None),
    ]
)
WARDS = pd.DataFrame(
    [
        {
            "ward_code": w,
            "assessment_year": 2025,
            "meets_standard": True,
            "total_points_on_data": t,
            "criteria_met_on_data": 12,
            "year_complete": True,
            "meets_standard_on_data": m,
            "contradicted": c,
            "criteria_checked": 2,
            "criteria_agreeing": a,
            "criteria_over_scored": o,
            "criteria_under_scored": 0,
            "criteria_disagreeing": o,
        }
        for w, t, m, c, a, o in [
            ("A", 885, False, True, 1, 1),
            ("C", 950, True, False, 2, 0),
            ("D", 920, True, False, 0, 0),
        ]
    ]
)
HIDDEN_COUNTS = pd.DataFrame(
    [
        {
            "org_unit_code": "A",
            "period_key": "2025",
            "indicator_code": "abuse_timely_intervention",
            "numerator_mark": "<5",
            "denominator_mark": "<5",
        },
        {
            "org_unit_code": "C",
            "period_key": "2025",
            "indicator_code": "injury_deaths",
            "numerator_mark": "<5",
            "denominator_mark": None,
        },
        {
            "org_unit_code": "D",
            "period_key": "2025",
            "indicator_code": "abuse_timely_intervention",
            "numerator_mark": "<5",
            "denominator_mark": "<5",
        },
        {
            "org_unit_code": "B",
            "period_key": "2025",
            "indicator_code": "injury_deaths",
            "numerator_mark": None,
            "denominator_mark": None,
        },
    ]
)


def test_a_criterion_on_a_hidden_count_loses_its_score_and_verdict():
    criteria, evidence, _ = withheld(CRITERIA, EVIDENCE, WARDS, HIDDEN_COUNTS)
    rows = {(r["ward_code"], r["criterion"]): r for r in criteria.to_dict("records")}
    assert rows[("A", 3)]["verdict"] == HIDDEN
    assert [
        rows[("A", 3)][k] for k in ("data_score", "score_difference", "score_on_data", "met_on_data")
    ] == [None] * 4
    assert rows[("A", 7)]["verdict"] == "over_scored" and rows[("A", 7)]["data_score"] == 0
    assert rows[("C", 5)]["verdict"] == HIDDEN
    assert rows[("D", 3)]["verdict"] == "no_data"  # nothing to hide: the self score stands
    parts = {(r["ward_code"], r["criterion"]): r for r in evidence.to_dict("records")}
    assert [parts[("A", 3)][k] for k in ("numerator", "denominator", "points", "numerator_mark")] == [
        None,
        None,
        None,
        "<5",
    ]
    assert parts[("A", 7)]["numerator"] == 96 and parts[("A", 7)]["numerator_mark"] is None


def test_a_standing_is_told_only_when_the_visible_criteria_settle_it():
    _, _, wards = withheld(CRITERIA, EVIDENCE, WARDS, HIDDEN_COUNTS)
    rows = {r["ward_code"]: r for r in wards.to_dict("records")}
    # A: criterion 7, visible, is not met on the data: not met whatever criterion 3 says
    assert (rows["A"]["meets_standard_on_data"], rows["A"]["contradicted"]) == (False, True)
    assert rows["A"]["total_points_on_data"] is None and rows["A"]["criteria_met_on_data"] is None
    assert (
        rows["A"]["criteria_agreeing"],
        rows["A"]["criteria_disagreeing"],
        rows["A"]["criteria_checked"],
    ) == (0, 1, 1)
    # C: only the hidden criterion could decide: not told
    assert (rows["C"]["meets_standard_on_data"], rows["C"]["contradicted"]) == (None, None)
    assert rows["C"]["criteria_agreeing"] == 1
    # D: nothing hidden: as the mart says
    assert (rows["D"]["meets_standard_on_data"], rows["D"]["total_points_on_data"]) == (True, 920)


def test_figures_as_the_reader_reads_them():
    base = {"short_vi": "CT", "short_en": "CT", "unit": "percent", "missing_reason": None}
    assert figure_text(base | {"numerator": 2, "denominator": 3}) == "CT: 2/3 (66,7%)"
    assert figure_text(base | {"numerator": 2, "denominator": 3}, english=True) == "CT: 2/3 (66.7%)"
    hidden = base | {"numerator": None, "denominator": None, "numerator_mark": "<5", "denominator_mark": "x"}
    assert figure_text(hidden) == "CT: <5/x (ẩn)"
    assert figure_text(base | {"numerator": 0, "denominator": 0}) == "CT: không có trường hợp nào"
    assert figure_text(base | {"numerator": 0, "denominator": 0, "missing_reason": "files_missing"}) == (
        "CT: thiếu tệp số liệu của năm"
    )
    assert figure_text(base | {"unit": "count", "numerator": 1234, "denominator": None}) == "CT: 1.234"
