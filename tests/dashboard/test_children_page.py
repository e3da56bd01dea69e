"""The child lists page: only ward officers have it, and it reads only the restricted serving file,
only their own ward; each look is written to the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import audit
from base.home import Home
from tests.dashboard.restricted import stamp
from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGE = "views/children.py"


def _restricted_file(home: Home, publish_id: str | None = None) -> None:
    """A tiny restricted serving file by hand: two children in Mộ Lao, one in Văn Quán; published with
    the serving copy, or by the publish ``publish_id``."""
    con = duckdb.connect(str(home.serving_restricted))
    stamp(con, home.serving, publish_id)
    con.execute(
        """
        create table child_reconciliation (
            as_of_date date, check_code varchar, ward_code varchar, member_key varchar, child_key varchar,
            source varchar, record_id varchar, personal_id varchar, child_name varchar, mother_name varchar,
            birth_date date, sex varchar, residence varchar, age_months bigint, days_since_birth bigint,
            registration_date date, card_valid_to date, vaccine_code varchar, dose_number integer,
            in_full_immunisation boolean, due_date date, days_overdue bigint, hcdb_groups varchar,
            last_support_date date
        )
        """
    )
    as_of = dt.date(2025, 3, 31)
    rows = [
        ("born_not_registered", "09541", "k1", "Nguyễn Văn An", dt.date(2025, 1, 2), None, None, None),
        ("dose_overdue", "09541", "k2", "Trần Thị Ánh", dt.date(2024, 10, 1), "DTP_HEPB_HIB", 2, 40),
        ("under6_without_valid_card", "09542", "k3", "Lê Minh Khoa", dt.date(2022, 5, 5), None, None, None),
    ]
    for check, ward, key, name, born, vaccine, dose, overdue in rows:
        con.execute(
            "insert into child_reconciliation (as_of_date, check_code, ward_code, member_key, child_key, "
            "child_name, birth_date, sex, vaccine_code, dose_number, days_overdue) "
            "values (?, ?, ?, ?, ?, ?, ?, 'F', ?, ?, ?)",
            [as_of, check, ward, key, key, name, born, vaccine, dose, overdue],
        )
    con.close()


@pytest.fixture
def env(fixture_home, tmp_path, monkeypatch) -> Home:
    """A home with the fixture's serving copy (ward names, check names) and, later, a restricted file."""
    home = fixture_home
    copy = Home(tmp_path / "home")
    copy.root.mkdir()
    copy.serving.write_bytes(home.serving.read_bytes())
    monkeypatch.setenv("TREEM_HOME", str(copy.root))
    return copy


@pytest.mark.parametrize("role", ["district_leader", "data_engineer", "protection_officer"])
def test_absent_from_navigation_for_roles_without_child_lists(env, role):
    _restricted_file(env)
    app = sign_in(AppTest.from_file(APP, default_timeout=60), role).run()
    assert not app.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)


def test_a_ward_officer_sees_only_their_wards_children_and_each_look_is_logged(env):
    _restricted_file(env)
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "ward_officer", "09541").run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.title[0].value == "Danh sách cần hỗ trợ"
    assert app.selectbox(key="ward").options == ["Mộ Lao (2 trẻ)"]  # no other ward to choose
    names = {n for d in app.dataframe for n in d.value["Họ tên"]}
    assert names == {"Nguyễn Văn An", "Trần Thị Ánh"}
    overdue = next(d.value for d in app.dataframe if "Vắc xin" in d.value.columns)
    assert (overdue.iloc[0]["Vắc xin"], overdue.iloc[0]["Mũi"], overdue.iloc[0]["Số ngày quá hạn"]) == (
        "DTP_HEPB_HIB",
        "2",
        "40",
    )
    app.run()  # a rerun is the same look: logged once
    views = [e for e in audit.entries(env.root) if e.action == audit.VIEW_CHILD_LIST]
    assert [(e.username, e.role, e.ward_code) for e in views] == [
        ("ward-officer-09541", "ward_officer", "09541")
    ]


def test_no_list_names_a_childs_hcdb_group(env):
    """A ward officer's lists never say which HCĐB group a child is in (the warehouse publishes none):
    an HCĐB child without support is listed by name and last support only, whatever its groups."""
    _restricted_file(env)
    with duckdb.connect(str(env.serving_restricted)) as con:
        for key, groups in (("h1", "d;n"), ("h2", "l;m")):
            con.execute(
                "insert into child_reconciliation (as_of_date, check_code, ward_code, member_key, child_key, "
                "child_name, birth_date, hcdb_groups) values "
                "('2025-03-31', 'hcdb_not_supported', '09541', ?, ?, ?, '2015-01-01', ?)",
                [key, key, f"Trẻ {key}", groups],
            )
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "ward_officer", "09541").run()
    app.switch_page(PAGE).run()
    assert not app.exception
    hcdb = next(d.value for d in app.dataframe if "Trẻ h1" in set(d.value["Họ tên"]))
    assert set(hcdb["Họ tên"]) == {"Trẻ h1", "Trẻ h2"}
    shown = {str(v) for d in app.dataframe for column in d.value.columns for v in [column, *d.value[column]]}
    assert not {"d;n", "l;m", "Nhóm HCĐB"} & shown


def test_asking_the_query_layer_for_another_ward_gets_nothing(env, monkeypatch):
    """Whatever a page asks, the query layer answers within the signed-in officer's ward (outside a
    script run there is no session: the signed-in viewer is put where the session would hold it)."""
    _restricted_file(env)
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "ward_officer", "09541").run()
    from dashboard import auth
    from dashboard.queries import lists

    officer = app.session_state["treem_session"]["viewer"]
    monkeypatch.setattr(auth, "current_viewer", lambda: officer)
    assert lists.child_list("09542").empty
    assert set(lists.child_list("09541")["child_name"]) == {"Nguyễn Văn An", "Trần Thị Ánh"}
    monkeypatch.setattr(auth, "current_viewer", lambda: None)
    assert lists.child_list("09541").empty  # nobody signed in


def test_says_when_the_restricted_file_is_missing(env):
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "ward_officer", "09541").run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert "Chưa có danh sách" in app.info[0].value


def test_a_pair_from_two_publishes_shows_the_message_and_no_child(env):
    """A restricted file of another publish than the serving copy (a run cut short between the two
    renames): the page says the lists are being updated, lists nobody and logs no look."""
    from dashboard.queries import lists

    _restricted_file(env, publish_id="another-run")
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "ward_officer", "09541").run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert [i.value for i in app.info] == [lists.LISTS_OUT_OF_STEP]
    assert not app.dataframe and not app.selectbox
    assert not [e for e in audit.entries(env.root) if e.action == audit.VIEW_CHILD_LIST]
