"""PL5b, the child-friendly self-assessment against the data: in the year's last report only, each ward's
standing both ways, then each criterion it scored differently from the data, with the figures behind it.
In the district-wide edition the rows are those policy.child_friendly.withheld leaves a reader outside
the protection team (tests/test_child_friendly_policy.py): a criterion read from a hidden count has the
verdict "hidden", and a standing the visible criteria do not settle is not told."""

from __future__ import annotations

from policy.child_friendly import HIDDEN
from reports.annexes import child_friendly_sheet
from reports.build import build_workbook
from tests.reports.hand_made import WARDS, report_data


def _standing(ward: str, points: int, meets: bool, on_data_points, on_data, complete: bool = True) -> dict:
    return {
        "ward_code": ward,
        "assessment_year": 2025,
        "total_points": points,
        "meets_standard": meets,
        "total_points_on_data": on_data_points,
        "year_complete": complete,
        "meets_standard_on_data": on_data,
    }


def _part(code: str, short: str, unit: str, numerator, denominator, marks: tuple = (None, None)) -> dict:
    return {
        "indicator_code": code,
        "short_vi": short,
        "short_en": short,
        "unit": unit,
        "numerator": numerator,
        "denominator": denominator,
        "numerator_mark": marks[0],
        "denominator_mark": marks[1],
        "missing_reason": None,
    }


def _criterion(ward: str, n: int, name: str, top: int, own: int, data, verdict: str, met, parts) -> dict:
    return {
        "ward_code": ward,
        "assessment_year": 2025,
        "criterion": n,
        "criterion_name_vi": name,
        "max_points": top,
        "self_score": own,
        "data_score": data,
        "verdict": verdict,
        "met_on_data": met,
        "parts": parts,
    }


HCDB = _part("hcdb_supported", "Hỗ trợ trẻ HCĐB", "percent", 19, 20)
SIX, SEVEN = "Trẻ em có hoàn cảnh đặc biệt được trợ giúp", "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ"
SEVEN_OVER = _criterion(
    "1",
    7,
    SEVEN,
    50,
    50,
    0,
    "over_scored",
    False,
    [_part("fully_immunised_under1", "TCĐĐ", "percent", 96, 100)],
)
# ward A's own edition: every count
WARD_A = [
    _criterion(
        "1",
        6,
        SIX,
        125,
        125,
        50,
        "over_scored",
        True,
        [HCDB, _part("abuse_timely_intervention", "CT", "percent", 2, 3)],
    ),
    SEVEN_OVER,
    _criterion("1", 1, "Nguồn lực", 100, 100, None, "no_data", True, []),
]
# the district's edition: A's 3 abuse cases hidden, and with them criterion 6's score on the data; B's
# criterion 5 (deaths shown: 0) under-scored; C recognises itself and only a hidden criterion could
# contradict it
DISTRICT = [
    _criterion(
        "1",
        6,
        SIX,
        125,
        125,
        None,
        HIDDEN,
        None,
        [HCDB, _part("abuse_timely_intervention", "CT", "percent", None, None, ("<5", "<5"))],
    ),
    SEVEN_OVER,
    _criterion(
        "2",
        5,
        "Trẻ em bị tai nạn, thương tích",
        75,
        25,
        75,
        "under_scored",
        True,
        [_part("injury_deaths", "Tử vong", "count", 0, None)],
    ),
    _criterion(
        "3",
        5,
        "Trẻ em bị tai nạn, thương tích",
        75,
        75,
        None,
        HIDDEN,
        None,
        [_part("injury_deaths", "Tử vong", "count", None, None, ("<5", None))],
    ),
    _criterion(
        "3",
        7,
        SEVEN,
        50,
        50,
        50,
        "agrees",
        True,
        [_part("fully_immunised_under1", "TCĐĐ", "percent", 49, 50)],
    ),
]
WARD_A_STANDING = _standing("1", 935, True, 885, False)
# as withheld: A's total on the data would give criterion 6 away; C's standing rests on its hidden 5
STANDINGS = [
    _standing("1", 935, True, None, False),
    _standing("2", 850, False, 900, False),
    _standing("3", 950, True, None, None),
]


def _cells(table) -> list[list]:
    return [[row[c.key] for c in table.columns] for row in table.rows]


def test_the_other_reports_have_no_such_sheet():
    assert child_friendly_sheet(report_data()) is None
    assert "PL5b Phù hợp với trẻ em" not in build_workbook(report_data()).sheetnames


def test_the_district_edition_tells_only_what_the_hidden_counts_allow():
    data = report_data(child_friendly_wards=STANDINGS, child_friendly_criteria=DISTRICT)
    standing, detail = child_friendly_sheet(data).tables
    assert _cells(standing) == [
        # criterion 7, not hidden, settles A: contradicted
        [
            1,
            "A",
            "Chưa đạt: số liệu không ủng hộ bản tự đánh giá",
            "2025",
            935,
            None,
            "Đạt",
            "7: tự chấm cao hơn số liệu",
        ],
        [2, "B", "Chưa đạt", "2025", 850, 900, "Chưa đạt", "5: tự chấm thấp hơn số liệu"],
        # only hidden criterion 5 could make C fall short: not told
        [3, "C", "Chưa kết luận được (số nhỏ được ẩn)", "2025", 950, None, "Đạt", "Không"],
    ]
    assert _cells(detail) == [
        [1, "A", f"7. {SEVEN}", 50, 50, 0, "Tự chấm cao hơn số liệu", "TCĐĐ: 96/100 (96,0%)"],
        [2, "B", "5. Trẻ em bị tai nạn, thương tích", 75, 25, 75, "Tự chấm thấp hơn số liệu", "Tử vong: 0"],
    ]
    assert "PL5b Phù hợp với trẻ em" in build_workbook(data).sheetnames


def test_a_wards_edition_prints_its_own_counts_and_verdicts():
    data = report_data(WARDS[0], child_friendly_wards=[WARD_A_STANDING], child_friendly_criteria=WARD_A)
    standing, detail = child_friendly_sheet(data).tables
    assert standing.rows[0]["points_on_data"] == 885
    assert standing.rows[0]["differing"] == "6, 7: tự chấm cao hơn số liệu"
    assert detail.rows[0]["figures"] == "Hỗ trợ trẻ HCĐB: 19/20 (95,0%); CT: 2/3 (66,7%)"


def test_a_year_not_complete_is_said_so():
    data = report_data(
        child_friendly_wards=[_standing("1", 935, True, 935, None, False)], child_friendly_criteria=[]
    )
    standing, detail = child_friendly_sheet(data).tables
    assert standing.rows[0]["on_data"] == "Chưa đủ số liệu cả năm để đối chiếu"
    assert (
        detail.rows == [] and detail.empty_message == "Điểm tự chấm khớp số liệu ở mọi tiêu chí có số liệu."
    )
