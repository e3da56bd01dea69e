"""The child-friendly self-assessment held against the data, where leaders look: the ward page's criteria
table (disagreements first), the overview's child-friendly tile (how many recognised wards the data
contradict) and the protection page's list, with abuse counts under 5 hidden outside the protection
role as the indicator figures hide them.

A copy of the fixture pipeline's serving copy gets hand-made rows for 2025: Mộ Lao recognises itself
(935 points) but claims criterion 7's 50 points with 96 of 100 under-1s fully immunised (the data give
0): contradicted; its criterion 6 agrees (19 of 20 HCĐB children supported, 50, and 2 of 3 abuse cases
in time, 0); criterion 1 has no data. Văn Quán does not recognise itself and under-scores criterion 6
(50 claimed, 125 supported: 10 of 10 supported, no abuse case); its criterion 7 agrees (49 of 50)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access.roles import Role, Viewer
from base.home import Home
from dashboard import scope
from tests.dashboard.session import sign_in

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
OVERVIEW = str(DASHBOARD / "views" / "overview.py")
WARD = str(DASHBOARD / "views" / "ward.py")
PROTECTION = str(DASHBOARD / "views" / "protection.py")
MO_LAO, VAN_QUAN = "09541", "09542"
YEAR = "2025"

# fct_child_friendly_cross_check: ward, criterion, name, max, self, self met, rules, data, verdict
CHECKS = [
    (MO_LAO, 1, "Nguồn lực thực hiện quyền trẻ em", 100, 100, True, False, None, "no_data"),
    (MO_LAO, 6, "Trẻ em có hoàn cảnh đặc biệt được trợ giúp", 125, 50, True, True, 50, "agrees"),
    (MO_LAO, 7, "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ", 50, 50, True, True, 0, "over_scored"),
    (VAN_QUAN, 1, "Nguồn lực thực hiện quyền trẻ em", 100, 90, True, False, None, "no_data"),
    (VAN_QUAN, 6, "Trẻ em có hoàn cảnh đặc biệt được trợ giúp", 125, 50, True, True, 125, "under_scored"),
    (VAN_QUAN, 7, "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ", 50, 50, True, True, 50, "agrees"),
]
# fct_child_friendly_evidence and the year's figures behind it: ward, criterion, part, indicator, num, den
EVIDENCE = [
    (MO_LAO, 6, 1, "hcdb_supported", 19, 20, 50),
    (MO_LAO, 6, 2, "abuse_timely_intervention", 2, 3, 0),
    (MO_LAO, 7, 1, "fully_immunised_under1", 96, 100, 0),
    (VAN_QUAN, 6, 1, "hcdb_supported", 10, 10, 50),
    (VAN_QUAN, 6, 2, "abuse_timely_intervention", 0, 0, 75),
    (VAN_QUAN, 7, 1, "fully_immunised_under1", 49, 50, 50),
]


@pytest.fixture(scope="module")
def checked_home(fixture_home, tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("cross-check-home"))
    home.ensure()
    shutil.copy2(fixture_home.serving, home.serving)
    if fixture_home.serving_restricted.exists():
        shutil.copy2(fixture_home.serving_restricted, home.serving_restricted)
    con = duckdb.connect(str(home.serving))
    try:
        con.execute("delete from agg_child_friendly_wards")
        con.executemany(
            "insert into agg_child_friendly_wards values (?, 2025, ?, 1000, 13, ?, 13, ?)",
            [(MO_LAO, 935, 13, True), (VAN_QUAN, 850, 12, False)],
        )
        con.executemany(
            "insert into fct_child_friendly_cross_check values (?, 2025, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, "
            "? - ?, coalesce(?, ?), coalesce(? > 0, ?))",
            [
                (w, n, name, name, top, own, met, rules, data, verdict, own, data, data, own, data, met)
                for w, n, name, top, own, met, rules, data, verdict in CHECKS
            ],
        )
        con.executemany(
            "insert into agg_child_friendly_cross_check "
            "values (?, 2025, ?, ?, ?, ?, 2, ?, ?, ?, ?, true, ?, ?)",
            [
                (MO_LAO, 935, True, 885, 12, 1, 1, 0, 1, False, True),
                (VAN_QUAN, 850, False, 925, 12, 1, 0, 1, 1, False, False),
            ],
        )
        con.executemany(
            "insert into fct_child_friendly_evidence values (?, 2025, ?, ?, ?, ?, ?, ?, ?, ?, null)",
            [
                (w, n, p, code, YEAR, num, den, num / den if den else None, pts)
                for w, n, p, code, num, den, pts in EVIDENCE
            ],
        )
        figures = [(w, code, num, den) for w, _, _, code, num, den, _ in EVIDENCE]
        district = {}
        for _, code, num, den in figures:
            district[code] = (district.get(code, (0, 0))[0] + num, district.get(code, (0, 0))[1] + den)
        rows = [(w, "ward", code, num, den) for w, code, num, den in figures]
        rows += [("268", "district", code, num, den) for code, (num, den) in district.items()]
        con.executemany(
            "insert into fct_ward_indicators (org_unit_code, org_unit_name, org_unit_level, period_key, "
            "period_type, period_start, period_end, indicator_code, numerator, denominator, value, "
            "member_rows) "
            "values (?, ?, ?, ?, 'year', date '2025-01-01', date '2025-12-31', ?, ?, ?, ?, ?)",
            [
                (unit, unit, level, YEAR, code, num, den, num / den if den else None, den)
                for unit, level, code, num, den in rows
            ],
        )
    finally:
        con.close()
    return home


@pytest.fixture
def home(checked_home, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(checked_home.root))
    return checked_home


def _ward_page(code: str, role: str = "district_leader", ward: str | None = None) -> AppTest:
    page = sign_in(AppTest.from_file(WARD, default_timeout=60), role, ward)
    page.query_params["ward"] = code
    page.run()
    assert not page.exception
    return page


def _criteria(page: AppTest):
    return next(
        table.value.reset_index()
        for table in page.table
        if "Phường tự chấm" in table.value.columns and "Phường" not in table.value.reset_index().columns
    )


def test_the_ward_page_lists_the_criteria_with_both_scores_disagreements_first(home):
    page = _ward_page(MO_LAO)
    table = _criteria(page)
    assert list(table["Số"]) == ["7", "6", "1"]
    assert list(table["Tiêu chí"]) == [
        "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ",
        "Trẻ em có hoàn cảnh đặc biệt được trợ giúp",
        "Nguồn lực thực hiện quyền trẻ em",
    ]
    assert list(table["Phường tự chấm"]) == ["50", "50", "100"]
    # criterion 6 rests on 3 abuse cases, a small count hidden from a district leader: so are its
    # score on the data and its verdict ("100% in time or no case: 75 points" would tell)
    assert list(table["Số liệu cho phép"]) == ["0", "–", "–"]
    assert list(table["Đánh giá"]) == ["Tự chấm cao hơn số liệu", "Ẩn (số nhỏ)", "Không có số liệu"]
    assert table["Số liệu cả năm"][0] == "TCĐĐ dưới 1 tuổi: 96/100 (96,0%)"
    assert (
        table["Số liệu cả năm"][1] == "Hỗ trợ trẻ HCĐB: 19/20 (95,0%); Can thiệp xâm hại kịp thời: <5/<5 (ẩn)"
    )
    # criterion 7, which the leader sees, settles the standing on the data whatever criterion 6 says
    assert [w.value for w in page.warning] == [
        "Tự đánh giá năm 2025: đạt chuẩn; theo số liệu trong kho: chưa đạt. "
        "1 tiêu chí có điểm tự chấm khác số liệu."
    ]


@pytest.mark.parametrize(
    ("role", "ward", "first"),
    [
        (
            "protection_officer",
            None,
            {
                "Số": "6",
                "Tiêu chí": "Trẻ em có hoàn cảnh đặc biệt được trợ giúp",
                "Tối đa": "125",
                "Phường tự chấm": "50",
                "Số liệu cho phép": "125",
                "Đánh giá": "Tự chấm thấp hơn số liệu",
                "Số liệu cả năm": "Hỗ trợ trẻ HCĐB: 10/10 (100,0%); "
                "Can thiệp xâm hại kịp thời: không có trường hợp nào",
            },
        ),
        (
            # its 0 cases are hidden from its own officer (beside Mộ Lao's 3, the district's 3 would give
            # them away), and so are criterion 6's score on the data and verdict
            "ward_officer",
            VAN_QUAN,
            {
                "Số": "7",
                "Tiêu chí": "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ",
                "Tối đa": "50",
                "Phường tự chấm": "50",
                "Số liệu cho phép": "50",
                "Đánh giá": "Khớp số liệu",
                "Số liệu cả năm": "TCĐĐ dưới 1 tuổi: 49/50 (98,0%)",
            },
        ),
    ],
)
def test_an_under_scoring_ward_as_each_role_reads_it(home, role, ward, first):
    page = _ward_page(VAN_QUAN, role, ward)
    table = _criteria(page)
    assert table.iloc[0].to_dict() == first
    if role == "ward_officer":
        six = table[table["Số"] == "6"].iloc[0]
        assert (six["Số liệu cho phép"], six["Đánh giá"]) == ("–", "Ẩn (số nhỏ)")
        assert six["Số liệu cả năm"].endswith("Can thiệp xâm hại kịp thời: <5/<5 (ẩn)")
    assert not page.warning  # not contradicted: it does not recognise itself


def test_the_overview_tile_counts_the_recognised_wards_the_data_contradict(home):
    page = sign_in(AppTest.from_file(OVERVIEW, default_timeout=60)).run()
    assert not page.exception
    captions = [c.value for c in page.caption if "Số liệu không ủng hộ" in c.value]
    assert captions == ["⚠ Số liệu không ủng hộ 1/1 phường tự đánh giá đạt chuẩn"]


@pytest.mark.parametrize(
    ("role", "listed"),
    [
        (
            "protection_officer",
            [
                ("Mộ Lao", "7 – Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ"),
                ("Văn Quán", "6 – Trẻ em có hoàn cảnh đặc biệt được trợ giúp"),
            ],
        ),
        # Văn Quán's criterion 6 rests on hidden abuse counts: its disagreement is not told
        ("district_leader", [("Mộ Lao", "7 – Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ")]),
    ],
)
def test_the_protection_page_lists_every_disagreement_the_role_may_see(home, role, listed):
    page = sign_in(AppTest.from_file(PROTECTION, default_timeout=60), role).run()
    assert not page.exception
    assert "Số liệu không ủng hộ 1/1 phường tự đánh giá đạt chuẩn: Mộ Lao." in [w.value for w in page.warning]
    table = next(t.value.reset_index() for t in page.table if "Phường" in t.value.reset_index().columns)
    assert list(zip(table["Phường"], table["Tiêu chí"], strict=True)) == listed


def test_the_child_friendly_warnings_on_hidden_counts_are_the_protection_roles(checked_home, tmp_path):
    """VR20 (criterion 6, read from abuse cases) is listed for the protection role only."""
    serving = tmp_path / "serving.duckdb"
    shutil.copy2(checked_home.serving, serving)
    con = duckdb.connect(str(serving))
    try:
        con.execute(
            "insert into fct_validation_violations (rule_id, name_vi, name_en, severity, ward_code, "
            "period_key, left_side, left_value, operator, right_side, right_value) "
            "select rule_id, name_vi, name_en, severity, ?, '2025-12', left_side, 50, operator, "
            "right_side, 125 "
            "from validation_rules where rule_id = 'VR20'",
            [VAN_QUAN],
        )
    finally:
        con.close()
    seen = {}
    for role in ("protection_officer", "district_leader", "data_engineer"):
        view = scope.connect(serving, os.stat(serving).st_mtime, Viewer(role, role, Role(role), None))
        try:
            seen[role] = view.execute("select rule_id from fct_validation_violations").fetchall()
        finally:
            view.close()
    assert seen == {"protection_officer": [("VR20",)], "district_leader": [], "data_engineer": []}


def test_a_ward_officer_reads_only_their_wards_cross_check(home):
    officer = Viewer("lan", "Lan", Role.WARD_OFFICER, MO_LAO)
    con = scope.connect(home.serving, os.stat(home.serving).st_mtime, officer)
    try:
        wards = {
            table: {r[0] for r in con.execute(f"select distinct ward_code from {table}").fetchall()}
            for table in (
                "fct_child_friendly_cross_check",
                "fct_child_friendly_evidence",
                "agg_child_friendly_cross_check",
            )
        }
        counts = con.execute(
            "select numerator, denominator, points from fct_child_friendly_evidence "
            "where indicator_code = 'abuse_timely_intervention'"
        ).fetchall()
        six = con.execute(
            "select verdict, data_score, score_on_data, met_on_data from fct_child_friendly_cross_check "
            "where criterion = 6"
        ).fetchall()
        standing = con.execute(
            "select meets_standard_on_data, contradicted, total_points_on_data, criteria_disagreeing "
            "from agg_child_friendly_cross_check"
        ).fetchall()
    finally:
        con.close()
    assert wards == dict.fromkeys(wards, {MO_LAO})
    # the views themselves withhold what the small-count rule hides, not only the pages
    assert counts == [(None, None, None)]
    assert six == [("hidden", None, None, None)]
    assert standing == [(False, True, None, 1)]
