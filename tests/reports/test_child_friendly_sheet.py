"""PL5b, the child-friendly self-assessment against the data: in the year's last report only, each ward's
standing both ways, then each criterion it scored differently from the data, with the figures behind it
(abuse and death counts left out of the district-wide edition)."""

from __future__ import annotations

from reports.annexes import child_friendly_sheet
from reports.build import build_workbook
from tests.reports.hand_made import WARDS, report_data

STANDINGS = [
    {
        "ward_code": "1",
        "assessment_year": 2025,
        "total_points": 935,
        "meets_standard": True,
        "total_points_on_data": 885,
        "meets_standard_on_data": False,
        "criteria_disagreeing": 2,
    },
    {
        "ward_code": "2",
        "assessment_year": 2024,
        "total_points": 850,
        "meets_standard": False,
        "total_points_on_data": 925,
        "meets_standard_on_data": False,
        "criteria_disagreeing": 1,
    },
]


def _part(code: str, short: str, unit: str, numerator: int | None, denominator: int | None) -> dict:
    return {
        "indicator_code": code,
        "short_vi": short,
        "unit": unit,
        "numerator": numerator,
        "denominator": denominator,
        "value": None,
    }


DISAGREEMENTS = [
    {
        "ward_code": "1",
        "assessment_year": 2025,
        "criterion": 6,
        "criterion_name_vi": "Trẻ em có hoàn cảnh đặc biệt được trợ giúp",
        "max_points": 125,
        "self_score": 125,
        "data_score": 50,
        "verdict": "over_scored",
        "parts": [
            _part("hcdb_supported", "Hỗ trợ trẻ HCĐB", "percent", 19, 20),
            _part("abuse_timely_intervention", "Can thiệp xâm hại kịp thời", "percent", 2, 3),
        ],
    },
    {
        "ward_code": "1",
        "assessment_year": 2025,
        "criterion": 7,
        "criterion_name_vi": "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ",
        "max_points": 50,
        "self_score": 50,
        "data_score": 0,
        "verdict": "over_scored",
        "parts": [_part("fully_immunised_under1", "TCĐĐ dưới 1 tuổi", "percent", 96, 100)],
    },
    {
        "ward_code": "2",
        "assessment_year": 2024,
        "criterion": 5,
        "criterion_name_vi": "Trẻ em bị tai nạn, thương tích",
        "max_points": 75,
        "self_score": 25,
        "data_score": 75,
        "verdict": "under_scored",
        "parts": [_part("injury_deaths", "Tử vong do TNTT", "count", 0, None)],
    },
]


def _cells(table) -> list[list]:
    return [[row[c.key] for c in table.columns] for row in table.rows]


def test_the_other_reports_have_no_such_sheet():
    assert child_friendly_sheet(report_data()) is None
    workbook = build_workbook(report_data())
    assert "PL5b Phù hợp với trẻ em" not in workbook.sheetnames


def test_the_district_edition_lists_standings_and_disagreements_without_abuse_counts():
    data = report_data(child_friendly_wards=STANDINGS, child_friendly_disagreements=DISAGREEMENTS)
    standing, detail = child_friendly_sheet(data).tables
    assert _cells(standing) == [
        [
            1,
            "A",
            "Chưa đạt: số liệu không ủng hộ bản tự đánh giá",
            "2025",
            935,
            885,
            "Đạt",
            "6, 7: tự chấm cao hơn số liệu",
        ],
        [2, "B", "Chưa đạt", "2024", 850, 925, "Chưa đạt", "5: tự chấm thấp hơn số liệu"],
    ]
    assert _cells(detail) == [
        [
            1,
            "A",
            "6. Trẻ em có hoàn cảnh đặc biệt được trợ giúp",
            125,
            125,
            50,
            "Tự chấm cao hơn số liệu",
            "Hỗ trợ trẻ HCĐB: 19/20 (95,0%); "
            "Can thiệp xâm hại kịp thời: không in số vụ việc trong bản toàn quận",
        ],
        [
            2,
            "A",
            "7. Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ",
            50,
            50,
            0,
            "Tự chấm cao hơn số liệu",
            "TCĐĐ dưới 1 tuổi: 96/100 (96,0%)",
        ],
        [
            3,
            "B",
            "5. Trẻ em bị tai nạn, thương tích",
            75,
            25,
            75,
            "Tự chấm thấp hơn số liệu",
            "Tử vong do TNTT: không in số vụ việc trong bản toàn quận",
        ],
    ]
    assert "PL5b Phù hợp với trẻ em" in build_workbook(data).sheetnames


def test_a_wards_edition_prints_its_own_counts():
    data = report_data(
        WARDS[0], child_friendly_wards=STANDINGS[:1], child_friendly_disagreements=DISAGREEMENTS[:1]
    )
    _, detail = child_friendly_sheet(data).tables
    assert (
        detail.rows[0]["figures"] == "Hỗ trợ trẻ HCĐB: 19/20 (95,0%); Can thiệp xâm hại kịp thời: 2/3 (66,7%)"
    )


def test_no_disagreement_says_so():
    data = report_data(child_friendly_wards=STANDINGS, child_friendly_disagreements=[])
    _, detail = child_friendly_sheet(data).tables
    assert (
        detail.rows == [] and detail.empty_message == "Điểm tự chấm khớp số liệu ở mọi tiêu chí có số liệu."
    )
