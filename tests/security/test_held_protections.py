"""Attacks on the dashboard that fail today, repeated so that no later change reopens them: a ward
officer reaching another ward (on every page, and through the query layer), small protection counts
outside the protection role, pages opened without signing in or without the role, sessions and
downloads outliving their time, and SQL typed into the dashboard's inputs.

Most tests run over a copy of the report home's serving copy (15 wards, a year of data) in which a few
abuse cases and injury deaths of 2025 are made small, so that there is something to hide."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from access import accounts, audit
from access.exports import csv_bytes
from access.roles import AccountError, Role, Viewer
from base.home import Home
from tests.dashboard.session import sign_in

pytestmark = pytest.mark.slow

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
WARD, WARD_NAME, OTHER = "09541", "Mộ Lao", "09542"  # the officer's ward; Văn Quán, next door
DISTRICT, DISTRICT_NAME = "268", "Quận Hà Đông"
SIGN_IN_TITLE = "Đăng nhập"
REFUSED = "Sai tên đăng nhập hoặc mật khẩu."
EXPIRED = "Phiên làm việc đã hết hạn: hãy đăng nhập lại."
PAGES = {  # every page of the app's navigation: its title
    "views/overview.py": "Tổng quan",
    "views/ward.py": "Phường",
    "views/immunization.py": "Y tế",
    "views/registration.py": "Hộ tịch & BHYT",
    "views/protection.py": "Bảo vệ trẻ em",
    "views/reports.py": "Báo cáo định kỳ",
    "views/quality.py": "Báo cáo & chất lượng dữ liệu",
    "views/children.py": "Danh sách cần hỗ trợ",
    "views/cases.py": "Danh sách vụ việc bảo vệ trẻ em",
    "views/audit.py": "Nhật ký truy cập",
}
WARD_OFFICER_PAGES = [p for p in PAGES if p not in ("views/cases.py", "views/audit.py")]
SMALL = {"1", "2", "3", "4"}  # counts below the threshold (reports/report.yaml: 5), as a page writes them
# 2025's small counts put into the copy: org unit → (timely, cases) of abuse; (deaths, 2024 deaths)
ABUSE_2025 = {WARD: (2, 3), OTHER: (6, 8), "09544": (7, 9), DISTRICT: (15, 20)}
ABUSE_MARCH_2025 = {WARD: (1, 1), DISTRICT: (1, 1)}
DEATHS_2025 = {WARD: (1, 0), OTHER: (0, 3), "09544": (7, 6), DISTRICT: (8, 9)}

LEADER = Viewer("lanh-dao", "Lãnh đạo", Role.DISTRICT_LEADER)
OFFICER = Viewer("can-bo", "Cán bộ", Role.WARD_OFFICER, WARD)
PROTECTION = Viewer("bao-ve", "Bảo vệ", Role.PROTECTION_OFFICER)
ENGINEER = Viewer("ky-su", "Kỹ sư", Role.DATA_ENGINEER)

SQL_PAYLOADS = [
    f"{WARD}' or '1'='1",
    "'; drop table fct_ward_indicators; --",
    "2025' union select * from fct_ward_indicators --",
    '" or ""="',
]


@pytest.fixture(scope="module")
def small_home(report_home, tmp_path_factory) -> Home:
    """The report home's serving copy and restricted file in a home of their own, with small abuse and
    injury-death counts in 2025 (the report fixtures have none)."""
    home = Home(tmp_path_factory.mktemp("security-home"))
    shutil.copyfile(report_home.serving, home.serving)
    shutil.copyfile(report_home.serving_restricted, home.serving_restricted)
    with duckdb.connect(str(home.serving)) as con:
        abuse = (
            "update fct_ward_indicators set numerator = ?, denominator = ?, value = ?, meets_target = ? "
            "where indicator_code = 'abuse_timely_intervention' and period_key = ? and org_unit_code = ?"
        )
        for period, counts in (("2025", ABUSE_2025), ("2025-03", ABUSE_MARCH_2025)):
            for unit, (timely, cases) in counts.items():
                con.execute(abuse, [timely, cases, timely / cases, timely == cases, period, unit])
        for unit, (deaths, before) in DEATHS_2025.items():
            con.execute(
                "update fct_ward_indicators set numerator = ?, value = ?, baseline = ?, target = ?, "
                "meets_target = ? where indicator_code = 'injury_deaths' and period_key = '2025' "
                "and org_unit_code = ?",
                [deaths, float(deaths), before, 0.9 * before, deaths <= 0.9 * before, unit],
            )
    return home


@pytest.fixture
def env(small_home, monkeypatch) -> Home:
    monkeypatch.setenv("TREEM_HOME", str(small_home.root))
    return small_home


def _mart(home: Home, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(home.serving), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _mentions(text: str, ward: str) -> bool:
    """Whether a page's text names a ward: its name anywhere, its code as a token of its own (not five
    digits inside a longer number or a hash, such as the name of a chart's dataset in its spec)."""
    if not ward.isdigit():
        return ward in text
    return re.search(rf"(?<![0-9A-Za-z.]){ward}(?![0-9A-Za-z])", text) is not None


def _other_wards(home: Home) -> set[str]:
    """Names and codes of every ward, today's or former, that is not the officer's."""
    rows = _mart(home, "select ward_code, ward_name from dim_ward where current_ward_code <> ?", WARD)
    return {code for code, _ in rows} | {name for _, name in rows}


def _as(monkeypatch, viewer: Viewer | None) -> None:
    """Put ``viewer`` where the session would hold it (outside a script run there is no session)."""
    from dashboard import auth

    monkeypatch.setattr(auth, "current_viewer", lambda: viewer)


def _run(role: str, page: str, ward: str | None = None, asked_ward: str | None = None) -> AppTest:
    """``page`` run for a signed-in ``role``; ``asked_ward``: the link asks for that ward (?ward=)."""
    app = sign_in(AppTest.from_file(APP, default_timeout=60), role, ward).run()
    app.switch_page(page)
    if asked_ward is not None:
        app.query_params["ward"] = asked_ward
    return app.run()


def _walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _arrow_table(data: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(data).read_all().to_pandas()


def _charts(app: AppTest) -> list[pd.DataFrame]:
    """The data behind every chart of the page (Altair sends each chart's whole frame)."""
    frames = []
    for node in [*_walk(app.main), *_walk(app.sidebar)]:
        if getattr(node, "type", None) in ("vega_lite_chart", "arrow_vega_lite_chart"):
            frames += [_arrow_table(d.data.data) for d in node.proto.datasets]
            if node.proto.HasField("data") and node.proto.data.data:
                frames.append(_arrow_table(node.proto.data.data))
    return frames


def _texts(app: AppTest) -> list[str]:
    """Everything the page shows or sends to the browser, as text: every element's message, every
    table cell and column, every chart's spec and data."""
    out: list[str] = []
    for node in [*_walk(app.main), *_walk(app.sidebar)]:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if type(node).__name__ == "Dataframe":
            out += [str(c) for c in node.value.columns] + [str(v) for v in node.value.to_numpy().ravel()]
        elif getattr(node, "type", None) in ("vega_lite_chart", "arrow_vega_lite_chart"):
            out.append(proto.spec)
        else:
            out.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
    for frame in _charts(app):
        out += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return out


def _table(app: AppTest, column: str) -> pd.DataFrame:
    """The page's one dataframe with that column."""
    (frame,) = [d.value for d in app.dataframe if column in d.value.columns]
    return frame


def _row(frame: pd.DataFrame, ward_name: str) -> dict:
    return frame[frame["Phường"] == ward_name].iloc[0].to_dict()


# --- 1. a ward officer sees their ward (and the district's figure), on every page and in every query


@pytest.mark.parametrize("page", WARD_OFFICER_PAGES)
def test_a_ward_officer_sees_no_other_ward_on_any_page(env, page):
    """Every page of the officer's navigation, asked by its link for the ward next door: no other
    ward's name or code anywhere on it (tables, charts' data, pickers, captions)."""
    app = _run("ward_officer", page, WARD, asked_ward=OTHER)
    assert not app.exception
    assert app.title[0].value == PAGES[page]
    texts = _texts(app)
    leaked = sorted({other for other in _other_wards(env) for text in texts if _mentions(text, other)})
    assert leaked == []
    for frame in (d.value for d in app.dataframe):
        if "Phường" in frame.columns:
            assert set(frame["Phường"]) <= {WARD_NAME, DISTRICT_NAME, "Toàn quận"}
    for picker in app.selectbox:
        if picker.label in ("Phường", "Mở trang phường", "Đơn vị"):
            assert picker.options and all(o.startswith(WARD_NAME) or o == "Toàn quận" for o in picker.options)
    if page != "views/reports.py":  # the reports page names no ward to a ward officer (it exports none)
        assert any(WARD_NAME in text for text in texts)  # the page did show the ward's own figures


def test_the_ward_page_asked_for_another_ward_shows_the_officers_own(env):
    app = _run("ward_officer", "views/ward.py", WARD, asked_ward=OTHER)
    assert not app.exception
    assert app.selectbox(key="ward_code").options == [WARD_NAME]
    assert app.subheader[0].value.startswith(f"{WARD_NAME} – ")
    assert app.query_params["ward"] == WARD


def test_the_overview_lists_the_ward_and_the_district_only(env):
    overview = _run("ward_officer", "views/overview.py", WARD)
    assert not overview.exception
    assert list(overview.dataframe[0].value["Phường"]) == [WARD_NAME, DISTRICT_NAME]  # wards × indicators
    assert overview.selectbox(key="overview_open_ward").options == [WARD_NAME]


def test_the_query_layer_answers_a_ward_officer_within_their_ward(env, monkeypatch):
    """Each query function a page calls, asked directly for the ward next door or the whole district:
    what the district leader gets shows the data is there; the officer gets their ward only."""
    from dashboard.queries import (
        audit_trail,
        editions,
        health,
        indicators,
        lists,
        protection,
        quality,
        serving,
    )

    _as(monkeypatch, LEADER)  # the other ward's data is there
    assert not quality.ward_submissions(OTHER, 2025).empty
    assert not quality.ward_quality(OTHER).empty
    assert not health.dtp_monthly(2025, OTHER).empty
    assert health.target_population(2025, OTHER) is not None
    assert OTHER in set(indicators.ward_year_trend(OTHER, 2025)["org_unit_code"])
    assert "Văn Quán" in set(health.doses_by_ward_vaccine(("2025-04",))["ward_name"])
    assert OTHER in set(quality.report_submissions("2025-03")["org_unit_code"])
    district_doses = health.dtp_monthly(2025)

    _as(monkeypatch, OFFICER)
    assert set(indicators.ward_year_trend(OTHER, 2025)["org_unit_level"]) == {"district"}
    assert quality.ward_submissions(OTHER, 2025).empty
    assert quality.ward_quality(OTHER).empty
    assert health.dtp_monthly(2025, OTHER).empty
    assert health.target_population(2025, OTHER) is None
    assert lists.child_list(OTHER).empty
    assert not lists.child_list(WARD).empty
    assert set(lists.child_list(WARD)["ward_code"]) == {WARD}
    # the whole district asked for: the officer's ward (and the district's row of the indicators)
    own_doses = health.dtp_monthly(2025, WARD)
    assert not own_doses.empty
    pd.testing.assert_frame_equal(health.dtp_monthly(2025), own_doses)
    assert not district_doses.equals(own_doses)
    assert list(serving.current_wards()["ward_code"]) == [WARD]
    for frame in (
        indicators.indicators_for_period("2025"),
        indicators.ward_indicator("dtp_dropout", "year", "2025"),
        health.dropout_by_ward("year", "2025"),
        protection.protection_indicators("year", "2025"),
        health.vitamin_a_rounds(),
    ):
        assert set(frame["org_unit_code"]) == {WARD, DISTRICT}
    assert set(health.dropout_trend()["org_unit_name"]) == {WARD_NAME, DISTRICT_NAME}
    assert set(health.doses_by_ward_vaccine(("2025-04",))["ward_name"]) == {WARD_NAME}
    assert set(health.doses_by_vaccine_dose(("2025-04",))["ward_code"]) == {WARD}
    assert set(quality.report_submissions("2025-03")["org_unit_code"]) == {WARD}
    assert set(quality.reconciliation_counts()["ward_code"]) == {WARD}
    assert set(lists.restricted_wards()["ward_code"]) == {WARD}
    assert set(quality.open_violations()["ward_code"]) <= {WARD}
    assert set(quality.rejected_files()["org_unit_code"]) <= {WARD}
    assert set(quality.count_outliers()["ward_code"]) <= {WARD}
    # tables for other roles: the groups of HCĐB children and the cases (protection), checks (engineers)
    assert protection.hcdb_children_groups().empty
    assert lists.protection_cases().empty
    assert quality.gx_results().empty
    assert audit_trail.audit_entries().empty and audit_trail.audit_verdict() is None
    assert editions.report_editions() == []
    with pytest.raises(PermissionError):
        editions.report_workbook("2025-BCT-N")
    with pytest.raises(PermissionError):
        editions.report_workbook("2025-BCT-N", WARD)


# --- 2. small protection and injury counts, hidden outside the protection role


def _count_cells(app: AppTest) -> list[str]:
    """The abuse and injury-death counts the protection page shows in its tables."""
    cells = []
    for frame in (d.value for d in app.dataframe):
        for column in ("Số vụ", "Can thiệp kịp thời", "Số ca tử vong", "Cùng kỳ 2024"):
            if column in frame.columns:
                cells += list(frame[column])
    return cells


def _small_in_charts(app: AppTest) -> list[tuple]:
    """Small abuse and injury counts in the charts' data (and targets made from a small 2024 count)."""
    found = []
    for frame in _charts(app):
        if "indicator_code" not in frame.columns:
            continue
        for row in frame.to_dict("records"):
            code = row["indicator_code"]
            if code not in ("abuse_timely_intervention", "injury_deaths"):
                continue
            measures = ["numerator", "denominator", "baseline"] + (
                ["value"] if code == "injury_deaths" else []
            )
            found += [(code, m, row[m]) for m in measures if m in row and pd.notna(row[m]) and 0 < row[m] < 5]
            target = row.get("target")
            if code == "injury_deaths" and target is not None and pd.notna(target) and 0 < target < 4.5:
                found.append((code, "target", target))
    return found


def _targets(frame: pd.DataFrame) -> list[float]:
    return [float(v.replace(",", ".")) for v in frame["Chỉ tiêu (≤)"] if v != "–"]


def test_the_district_leader_sees_no_small_protection_count(env):
    app = _run("district_leader", "views/protection.py")
    assert not app.exception
    assert app.selectbox(key="period").value[1] == "2025"
    cells = _count_cells(app)
    assert cells and not SMALL & set(cells)
    assert "<5" in cells
    abuse, deaths = _table(app, "Số vụ"), _table(app, "Số ca tử vong")
    mine = _row(abuse, WARD_NAME)
    assert (mine["Số vụ"], mine["Can thiệp kịp thời"], mine["Tỷ lệ"]) == ("<5", "<5", "–")
    assert _row(deaths, WARD_NAME)["Số ca tử vong"] == "<5"
    next_door = _row(deaths, "Văn Quán")
    assert (next_door["Cùng kỳ 2024"], next_door["Chỉ tiêu (≤)"]) == ("<5", "–")  # 2,7 would give 3
    assert not [t for t in _targets(deaths) if 0 < t < 4.5]
    assert _small_in_charts(app) == []
    assert not [m for m in app.metric if m.value in SMALL]
    # a month (its counts nest in the year's): none, not even the district's one case
    sel = app.selectbox(key="period")
    app = sel.select_index(list(sel.options).index("Tháng 03/2025")).run()
    assert not app.exception and not app.error  # the page runs to its end (a hidden tile once crashed it)
    tile = next(m for m in app.metric if m.label == "Vụ xâm hại được can thiệp kịp thời")
    assert tile.value == "ẩn"
    assert not SMALL & set(_count_cells(app))
    assert _small_in_charts(app) == []
    assert not [m for m in app.metric if m.value in SMALL or "1/1" in m.proto.delta]


def test_a_protection_officer_sees_the_small_counts(env):
    app = _run("protection_officer", "views/protection.py")
    assert not app.exception
    abuse, deaths = _table(app, "Số vụ"), _table(app, "Số ca tử vong")
    mine = _row(abuse, WARD_NAME)
    assert (mine["Số vụ"], mine["Can thiệp kịp thời"], mine["Tỷ lệ"]) == ("3", "2", "66,7%")
    assert _row(deaths, WARD_NAME)["Số ca tử vong"] == "1"
    next_door = _row(deaths, "Văn Quán")
    assert (next_door["Cùng kỳ 2024"], next_door["Chỉ tiêu (≤)"]) == ("3", "2,7")
    assert "<5" not in _count_cells(app)
    assert _small_in_charts(app)  # the same check finds them where they are allowed
    sel = app.selectbox(key="period")
    app = sel.select_index(list(sel.options).index("Tháng 03/2025")).run()
    assert _row(_table(app, "Số vụ"), WARD_NAME)["Số vụ"] == "1"


def test_a_ward_officer_sees_no_small_count_of_their_own_ward(env):
    """Small counts are hidden from ward officers too (docs/access.md): Mộ Lao's 2 of 3 cases, 1 death."""
    app = _run("ward_officer", "views/protection.py", WARD)
    assert not app.exception
    assert not SMALL & set(_count_cells(app))
    assert _small_in_charts(app) == []
    assert not [m for m in app.metric if m.value in SMALL]
    assert not any("2/3" in text or "66,7%" in text for text in _texts(app))


SMALL_ROWS = """
    select count(*) as n from fct_ward_indicators
    where indicator_code in ('abuse_timely_intervention', 'injury_deaths')
      and (numerator between 1 and 4 or denominator between 1 and 4 or baseline between 1 and 4
           or (indicator_code = 'injury_deaths' and (value > 0 and value < 5 or target > 0 and target < 4.5)))
"""


def test_no_small_count_reaches_any_role_but_protection_through_the_query_layer(env, monkeypatch):
    """Over every period of every indicator: the rows the overview, ward and report pages read."""
    from dashboard.queries import (
        serving,
    )

    for viewer in (LEADER, OFFICER, ENGINEER):
        _as(monkeypatch, viewer)
        assert int(serving.query(SMALL_ROWS).iloc[0]["n"]) == 0, viewer.role
    _as(monkeypatch, PROTECTION)
    assert int(serving.query(SMALL_ROWS).iloc[0]["n"]) > 0


# --- 3. pages without signing in, and pages a role does not have


def test_no_page_opens_without_signing_in(env):
    """Every page's link followed with no session (and a ward asked for): the sign-in form only."""
    app = AppTest.from_file(APP, default_timeout=60).run()
    all_wards = _other_wards(env) | {WARD, WARD_NAME}
    for page in PAGES:
        app.switch_page(page)
        app.query_params["ward"] = WARD
        app.run()
        assert not app.exception, page
        assert [t.value for t in app.title] == [SIGN_IN_TITLE], page
        assert not app.dataframe and not app.metric and not _charts(app), page
        assert not app.get("download_button"), page
        texts = _texts(app)
        assert not [w for w in all_wards for text in texts if _mentions(text, w)], page
        assert not any("Dữ liệu tính đến" in text for text in texts), page


def test_the_query_layer_gives_nobody_signed_in_nothing(env, monkeypatch):
    from dashboard.queries import (
        audit_trail,
        editions,
        health,
        indicators,
        lists,
        quality,
        serving,
    )

    _as(monkeypatch, None)
    assert serving.serving_meta() is None
    assert serving.current_wards().empty
    assert indicators.indicators_for_period("2025").empty
    assert health.dtp_monthly(2025).empty
    assert lists.child_list(WARD).empty and lists.restricted_wards().empty
    assert quality.report_submissions("2025-03").empty
    assert editions.report_editions() == []
    assert audit_trail.audit_entries().empty and audit_trail.audit_verdict() is None


@pytest.mark.parametrize(
    ("role", "ward", "absent", "present"),
    [
        ("district_leader", None, ["views/children.py", "views/cases.py", "views/audit.py"], []),
        ("ward_officer", WARD, ["views/cases.py", "views/audit.py"], ["views/children.py"]),
        ("protection_officer", None, ["views/children.py", "views/audit.py"], ["views/cases.py"]),
        ("data_engineer", None, ["views/children.py", "views/cases.py"], ["views/audit.py"]),
    ],
)
def test_pages_a_role_may_not_have_are_not_in_its_navigation(env, role, ward, absent, present):
    app = sign_in(AppTest.from_file(APP, default_timeout=60), role, ward).run()
    assert not app.exception
    for page in absent:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)
    for page in present:  # the role's own list page is there: the check above is not vacuous
        app.switch_page(page).run()
        assert not app.exception
        assert app.title[0].value == PAGES[page]


# --- 4. sessions that end, and downloads prepared in them


def test_a_session_idle_past_the_configured_minutes_ends(env, monkeypatch):
    monkeypatch.setenv("TREEM_SESSION_MINUTES", "5")
    from dashboard.auth import SESSION_KEY

    app = _run("ward_officer", "views/overview.py", WARD)
    assert app.title[0].value == "Tổng quan"
    app.session_state[SESSION_KEY]["last_seen"] -= dt.timedelta(minutes=4)
    app.run()
    assert app.title[0].value == "Tổng quan"  # within the 5 minutes
    app.session_state[SESSION_KEY]["last_seen"] -= dt.timedelta(minutes=6)
    app.run()
    assert [t.value for t in app.title] == [SIGN_IN_TITLE]
    assert [i.value for i in app.info] == [EXPIRED]
    assert not app.dataframe and not app.metric and not _charts(app)
    assert SESSION_KEY not in app.session_state
    newest = audit.entries(env.root)[0]
    assert (newest.action, newest.username) == (audit.SESSION_EXPIRED, "ward-officer-09541")


@pytest.mark.parametrize("how", ["signed_out", "marked_ended", "idle", "expired_on_rerun"])
def test_a_download_prepared_in_a_session_is_refused_once_it_ends(env, monkeypatch, how):
    """The click of a download is served outside the page's run: the bytes made then are refused once
    the session it was prepared in has ended, however it ended; a refused click logs nothing."""
    from dashboard import auth, downloads

    app = _run("ward_officer", "views/overview.py", WARD)
    session = app.session_state[auth.SESSION_KEY]
    monkeypatch.setattr(auth, "current_session", lambda: session)
    frame = pd.DataFrame({"Phường": [WARD_NAME], "Số trẻ": [12]})
    logged = (audit.DOWNLOAD_CHILD_LIST, WARD, "x.csv")
    assert downloads.file_data(frame, "x.csv")() == csv_bytes(frame)  # live: the file is made
    prepared = downloads.file_data(frame, "x.csv", logged)
    if how == "signed_out":
        (button,) = [b for b in app.sidebar.button if b.label == "Đăng xuất"]
        button.click().run()
        assert [t.value for t in app.title] == [SIGN_IN_TITLE]
    elif how == "marked_ended":
        session["ended"] = True
    elif how == "idle":
        session["last_seen"] -= auth.idle_limit() + dt.timedelta(minutes=1)
    else:
        session["last_seen"] -= auth.idle_limit() + dt.timedelta(minutes=1)
        app.run()
        assert [i.value for i in app.info] == [EXPIRED]
    with pytest.raises(PermissionError, match="the session ended before the download"):
        prepared()
    assert not [e for e in audit.entries(env.root) if e.action == audit.DOWNLOAD_CHILD_LIST]


# --- 5. SQL in the dashboard's inputs


def _fingerprint(home: Home) -> tuple:
    tables = sorted(r[0] for r in _mart(home, "select table_name from duckdb_tables()"))
    rows = _mart(home, "select count(*) from fct_ward_indicators")[0][0]
    return hashlib.sha256(home.serving.read_bytes()).hexdigest(), tables, rows


def test_sql_in_a_chosen_value_matches_nothing_and_changes_nothing(env, monkeypatch):
    """Ward codes, period keys, months, indicator codes with SQL in them, asked as the district leader
    (who may read every ward): nothing matches, and the serving copy is as it was."""
    from dashboard.queries import (
        health,
        indicators,
        lists,
        protection,
        quality,
        serving,
    )

    before = _fingerprint(env)
    assert "fct_ward_indicators" in before[1]
    _as(monkeypatch, LEADER)
    assert not indicators.indicators_for_period("2025").empty  # the same queries do answer plain values
    for payload in SQL_PAYLOADS:
        for frame in (
            indicators.indicators_for_period(payload),
            indicators.ward_indicator("dtp_dropout", "year", payload),
            indicators.ward_indicator(payload, "year", "2025"),
            health.dropout_by_ward("year", payload),
            protection.protection_indicators("year", payload),
            quality.ward_submissions(payload, 2025),
            quality.ward_quality(payload),
            quality.report_submissions(payload),
            health.doses_by_ward_vaccine((payload,)),
            health.doses_by_vaccine_dose((payload,)),
            health.dtp_monthly(2025, payload),
            indicators.sector_periods((payload,)),
        ):
            assert frame.empty, payload
        assert set(indicators.ward_year_trend(payload, 2025)["org_unit_level"]) == {"district"}
        assert health.target_population(2025, payload) is None
        assert indicators.previous_period(payload) is None
        assert serving.indicator(payload) == {}
        assert serving.has_table(payload) is False
    _as(monkeypatch, OFFICER)
    for payload in SQL_PAYLOADS:
        assert lists.child_list(payload).empty, payload
    assert _fingerprint(env) == before


def test_a_ward_code_carrying_sql_cannot_widen_a_viewers_scope(env, monkeypatch):
    """No account can hold such a ward code; were a viewer to, the views would match no ward."""
    from dashboard.queries import (
        indicators,
        lists,
        quality,
        serving,
    )

    forged = f"{WARD}' or '1'='1"
    with pytest.raises(AccountError):
        accounts.add_account(env.root, "ke-gian", "mat-khau-thu-nghiem", Role.WARD_OFFICER, forged)
    _as(monkeypatch, Viewer("ke-gian", "Kẻ gian", Role.WARD_OFFICER, forged))
    assert serving.current_wards().empty
    assert set(indicators.indicators_for_period("2025")["org_unit_code"]) == {DISTRICT}
    assert lists.restricted_wards().empty
    assert quality.report_submissions("2025-03").empty


@pytest.fixture
def form_home(tmp_path, monkeypatch) -> Path:
    """A home of its own (its own audit log and sign-in counts) with one ward officer's account."""
    root = tmp_path / "home"
    root.mkdir()
    accounts.add_account(root, "lan", "mat-khau-cua-lan-2026", Role.WARD_OFFICER, WARD, "Nguyễn Thị Lan")
    monkeypatch.setenv("TREEM_HOME", str(root))
    return root


def test_sql_in_the_sign_in_form_is_refused(form_home):
    from dashboard.auth import SESSION_KEY

    stored = accounts.accounts_path(form_home).read_bytes()
    app = AppTest.from_file(APP, default_timeout=60).run()
    attempts = [
        ("' or 1=1 --", "anything"),
        ("lan' --", "anything"),
        ("' or ''='", "' or ''='"),
        ("lan", "' or '1'='1"),
    ]
    for username, password in attempts:
        app.text_input[0].input(username)
        app.text_input[1].input(password)
        app.button[0].click().run()
        assert not app.exception
        assert [e.value for e in app.error] == [REFUSED], username
        assert [t.value for t in app.title] == [SIGN_IN_TITLE]
        assert SESSION_KEY not in app.session_state
    outcomes = [(e.username, e.action) for e in audit.entries(form_home) if e.action == audit.LOGIN_FAILED]
    assert sorted(outcomes) == sorted((u.strip().lower(), audit.LOGIN_FAILED) for u, _ in attempts)
    assert accounts.accounts_path(form_home).read_bytes() == stored
    app.text_input[0].input("lan")
    app.text_input[1].input("mat-khau-cua-lan-2026")
    app.button[0].click().run()  # the form itself works: the right password opens the dashboard
    assert app.title[0].value == "Tổng quan"
