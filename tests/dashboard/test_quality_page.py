"""The reporting and data-quality page, driven by AppTest over the serving copy of the fixture files.

The fixture run loads three immunisation files for March 2025 (Mộ Lao 3 days late, Văn Quán on the
deadline day, Hà Cầu) and quarantines two (La Khê, Phú La): see tests/warehouse/test_fixture_pipeline.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.session import sign_in

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def page(fixture_home, monkeypatch):
    home = fixture_home
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "data_engineer").run()
    return app.switch_page("views/quality.py").run()


def _table(app: AppTest, column: str):
    """The first table of the page with that column."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def test_title_stamp_and_counts(page):
    assert not page.exception
    assert page.title[0].value == "Báo cáo & chất lượng dữ liệu"
    assert "Dữ liệu tính đến" in page.caption[0].value
    assert "3 tệp đã nạp, 2 tệp cách ly" in page.caption[0].value
    assert [m.value for m in page.metric[:2]] == ["3", "2"]


def test_quarantined_files_are_listed_under_their_wards(page):
    table = _table(page, "Mã phường")
    quarantined = table[table["Tệp cách ly"] != "0"]
    rows = {
        (r["Phường"], r["Mã phường"], r["Nguồn"], r["Tệp cách ly"], r["Kết quả"])
        for _, r in quarantined.iterrows()
    }
    assert ("La Khê", "09551", "Danh sách trẻ được tiêm chủng", "1", "cách ly") in rows
    assert ("Phú La", "09552", "Danh sách trẻ được tiêm chủng", "1", "cách ly") in rows


def test_march_submissions_show_the_late_file_and_the_on_time_one(page):
    assert page.selectbox[0].value == "2025-03"
    table = _table(page, "Trạng thái")
    immunisation = table[(table["Nguồn"] == "Danh sách trẻ được tiêm chủng") & (table["Kỳ"] == "2025-03")]
    by_ward = immunisation.set_index("Phường")
    assert by_ward.loc["Mộ Lao", "Trạng thái"] == "Muộn 3 ngày"
    assert by_ward.loc["Mộ Lao", "Hạn"] == "05/04/2025"
    assert by_ward.loc["Mộ Lao", "Gửi lúc"] == "09:30 08/04/2025"
    assert by_ward.loc["Văn Quán", "Trạng thái"] == "Đúng hạn"
    # a quarantined file does not count as received; its ward's extract is missing
    assert by_ward.loc["La Khê", "Trạng thái"] == "Chưa nhận"
    assert by_ward.loc["La Khê", "Tệp cách ly"] == "1"
    assert len(page.get("vega_lite_chart")) >= 1


def test_empty_states_say_why_and_every_table_has_a_download(page):
    successes = [s.value for s in page.success]
    assert any("Không có giá trị bất thường" in s for s in successes)
    assert any("Mọi kỳ vọng đều đạt" in s for s in successes)
    assert len(page.get("download_button")) == len(page.dataframe)


def test_switching_month_changes_the_submissions(page):
    page.selectbox[0].select("2025-01").run()
    assert not page.exception
    table = _table(page, "Trạng thái")
    assert set(table["Kỳ"]) == {"2025-01"}
    assert "Muộn 3 ngày" not in set(table["Trạng thái"])


def test_others_see_the_submissions_but_not_the_file_names_and_reasons(fixture_home, monkeypatch):
    home = fixture_home
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    app = sign_in(AppTest.from_file(APP, default_timeout=60), "district_leader").run()
    app.switch_page("views/quality.py").run()
    assert not app.exception
    assert _table(app, "Trạng thái") is not None  # who sent what, and when
    assert "dành cho kỹ sư dữ liệu" in app.info[-1].value
    shown = " ".join(str(v) for d in app.dataframe for v in d.value.to_numpy().ravel())
    assert "TCMR_LaKhe" not in shown and "TCMR_PhuLa" not in shown  # the quarantined files' names
