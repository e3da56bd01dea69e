"""The registration & insurance page: the fixture has no registration files (empty state), and a tiny
serving copy built by hand gives exact figures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.session import sign_in

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
PAGE = "views/registration.py"


def open_page(app: AppTest) -> AppTest:
    app.run()
    return app.switch_page(PAGE).run()


def test_empty_state_says_why(fixture_home, monkeypatch):
    home = fixture_home
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    app = open_page(sign_in(AppTest.from_file(APP, default_timeout=60)))
    assert not app.exception
    assert app.title[0].value == "Hộ tịch & BHYT"
    assert "Chưa có số liệu đăng ký khai sinh hay thẻ BHYT" in app.info[0].value
    assert "chưa nạp tệp đăng ký khai sinh" in app.info[0].value
    assert "3 tệp đã nạp, 2 tệp cách ly" in app.caption[0].value


@pytest.fixture
def tiny_home(tmp_path: Path) -> Path:
    """A serving copy with only what the page reads: two wards and the district, March 2025."""
    con = duckdb.connect(str(tmp_path / "serving.duckdb"))
    con.execute(
        "create table serving_meta as select timestamp '2025-04-10 08:00' as published_at, "
        "timestamp '2025-04-09 17:30' as data_as_of, 4::bigint as files_loaded, "
        "0::bigint as files_quarantined"
    )
    con.execute(
        "create table indicators as select * from read_csv(?, header = true, all_varchar = false)",
        [str(ROOT / "dbt_project" / "seeds" / "indicators.csv")],
    )
    con.execute(
        """
        create table fct_ward_indicators as
        select * from (values
          ('09541', 'Mộ Lao', 'ward', 'birth_reg_on_time', 9, 10, 1.0::double),
          ('09542', 'Văn Quán', 'ward', 'birth_reg_on_time', 4, 4, 1.0),
          ('268', 'Quận Hà Đông', 'district', 'birth_reg_on_time', 13, 14, 1.0),
          ('09541', 'Mộ Lao', 'ward', 'birth_reg_linked', 6, 10, null),
          ('09542', 'Văn Quán', 'ward', 'birth_reg_linked', 1, 4, null),
          ('268', 'Quận Hà Đông', 'district', 'birth_reg_linked', 7, 14, null),
          ('09541', 'Mộ Lao', 'ward', 'bhyt_under6_coverage', 0, 0, 1.0),
          ('09542', 'Văn Quán', 'ward', 'bhyt_under6_coverage', 0, 0, 1.0),
          ('268', 'Quận Hà Đông', 'district', 'bhyt_under6_coverage', 0, 0, 1.0)
        ) v(org_unit_code, org_unit_name, org_unit_level, indicator_code, numerator, denominator, target)
        cross join (select '2025-03' as period_key, 'month' as period_type,
                           date '2025-03-01' as period_start, date '2025-03-31' as period_end)
        """
    )
    con.execute(
        "alter table fct_ward_indicators add column value double; "
        "update fct_ward_indicators set value = case when denominator > 0 then numerator / denominator end; "
        "alter table fct_ward_indicators add column meets_target boolean; "
        "update fct_ward_indicators set meets_target = case when value is not null and target is not null "
        "then value >= target end; "
        "alter table fct_ward_indicators add column baseline bigint; "
        "alter table fct_ward_indicators add column member_rows bigint"
    )
    con.execute(
        "create table dim_period as select '2025-03' as period_key, 'month' as period_type, "
        "'Tháng 03/2025' as label_vi, 'March 2025' as label_en, cast(null as varchar) as report_kind"
    )
    con.close()
    return tmp_path


def test_figures_per_ward_from_a_hand_built_serving_copy(tiny_home, monkeypatch):
    monkeypatch.setenv("TREEM_HOME", str(tiny_home))
    app = sign_in(AppTest.from_file(APP, default_timeout=60))
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="period").options == ["Tháng 03/2025"]
    assert [m.value for m in app.metric] == ["92,9%", "50,0%", "–"]
    assert "Chưa đạt" in app.metric[0].delta and "chỉ tiêu ≥ 100%" in app.metric[0].delta
    assert "Không có chỉ tiêu" in app.metric[1].delta
    on_time = app.dataframe[0].value
    assert list(on_time["Phường"]) == ["Mộ Lao", "Văn Quán", "Quận Hà Đông"]
    assert list(on_time["Tỷ lệ"]) == ["90,0%", "100,0%", "92,9%"]
    assert list(on_time["Đánh giá"]) == ["Chưa đạt", "Đạt", "Chưa đạt"]
    linked = app.dataframe[1].value
    assert list(linked["Tử số"]) == ["6", "1", "7"] and list(linked["Tỷ lệ"]) == ["60,0%", "25,0%", "50,0%"]
    # no register: BHYT coverage says why
    assert any("chưa có trẻ dưới 6 tuổi nào trong sổ theo dõi" in i.value for i in app.info)
    assert len(app.get("download_button")) == 3
    assert app.caption[0].value.startswith("Dữ liệu tính đến 17:30 09/04/2025")
