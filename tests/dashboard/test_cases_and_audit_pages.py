"""The protection officer's case list (their ward, or the district) and the data engineer's access log,
through AppTest; other roles do not have these pages."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import audit
from base.home import Home
from tests.dashboard.restricted import stamp
from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def home(fixture_home, tmp_path, monkeypatch) -> Home:
    """The fixture's serving copy, and a restricted file with three cases in two wards."""
    source = fixture_home
    home = Home(tmp_path / "home")
    home.root.mkdir()
    home.serving.write_bytes(source.serving.read_bytes())
    con = duckdb.connect(str(home.serving_restricted))
    stamp(con, home.serving)
    con.execute(
        """
        create table protection_cases as select * from (values
            ('C1', '09541', 'MLA-01', 9, 'F', 'neglect', date '2025-03-02', date '2025-03-02', 0, true,
             'counselling', 'monitoring'),
            ('C2', '09541', 'MLA-02', 12, 'M', 'physical_violence', date '2025-03-10', null, null, false,
             null, 'not_intervened'),
            ('C3', '09542', 'VQU-01', 7, 'F', 'sexual_abuse', date '2025-03-15', date '2025-03-16', 1, true,
             'medical', 'closed')
        ) v(case_id, ward_code, child_code, age, sex, abuse_type, reported_date, intervened_date,
            days_to_intervention, timely, support_measure, case_status)
        """
    )
    con.close()
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return home


@pytest.mark.parametrize(("ward", "cases"), [(None, {"C1", "C2", "C3"}), ("09541", {"C1", "C2"})])
def test_a_protection_officer_lists_the_cases_of_their_scope(home, ward, cases):
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "protection_officer", ward).run()
    app.switch_page("views/cases.py").run()
    assert not app.exception
    assert set(app.dataframe[0].value["case_id"]) == cases
    assert "child_name" not in app.dataframe[0].value.columns  # pseudonymous codes only
    views = [e for e in audit.entries(home.root) if e.action == audit.VIEW_CASE_LIST]
    assert [(e.ward_code, e.detail) for e in views] == [(ward, f"{len(cases)} vụ")]


def test_no_case_is_listed_from_a_restricted_file_of_another_publish(home):
    from dashboard.queries import lists

    con = duckdb.connect(str(home.serving_restricted))
    con.execute("update restricted_meta set publish_id = 'another-run'")
    con.close()
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "protection_officer").run()
    app.switch_page("views/cases.py").run()
    assert not app.exception
    assert [i.value for i in app.info] == [lists.LISTS_OUT_OF_STEP]
    assert not app.dataframe
    assert not [e for e in audit.entries(home.root) if e.action == audit.VIEW_CASE_LIST]


@pytest.mark.parametrize("role", ["district_leader", "data_engineer"])
def test_other_roles_have_no_case_list(home, role):
    app = sign_in(AppTest.from_file(APP, default_timeout=60), role).run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/cases.py")


def test_the_data_engineer_reads_the_access_log_and_nobody_else_has_it(home):
    officer = sign_in(AppTest.from_file(APP, default_timeout=60), "protection_officer").run()
    officer.switch_page("views/cases.py").run()
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "data_engineer").run()
    app.switch_page("views/audit.py").run()
    assert not app.exception
    log = app.dataframe[0].value
    assert ("protection-officer-all", audit.VIEW_CASE_LIST) in set(
        zip(log["Tài khoản"], log["Việc"], strict=True)
    )
    leader = sign_in(AppTest.from_file(APP, default_timeout=60), "district_leader").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        leader.switch_page("views/audit.py")
