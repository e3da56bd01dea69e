"""The warehouse built from the fixture files (fixture_home; the run summary and Dagster records through
a whole run, marked slow): exact figures, computed by hand.

Good DTP (DPT-VGB-Hib) doses in March 2025: Mộ Lao dose 1 ×2 (An, Ánh) and dose 3 ×1 (Châu);
Văn Quán dose 1 ×1 (Khoa); Hà Cầu dose 2 ×1 only. Dropout = (DTP1 − DTP3) / DTP1:
Mộ Lao 1/2, Văn Quán 1/1, Hà Cầu no DTP1 (null), district (3 − 1) / 3.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.conftest import use


@pytest.fixture(scope="module")
def serving(fixture_home):
    con = duckdb.connect(str(fixture_home.serving), read_only=True)
    yield con
    con.close()


@pytest.mark.slow
def test_run_summary_counts_files_rows_and_checks(fixture_pipeline):
    _, summary = fixture_pipeline
    assert summary.ingestion["files_loaded"] == 3
    assert summary.ingestion["files_quarantined"] == 2
    assert summary.ingestion["rows_loaded"] == 10
    assert summary.ingestion["rows_rejected"] == 5
    assert summary.checks_failed == []
    assert summary.checks_passed >= 30
    assert set(summary.stage_seconds) == {
        "nạp tệp (ingestion)",
        "dbt build (kho dữ liệu + kiểm thử)",
        "kiểm tra chất lượng (Great Expectations)",
        "xuất bản (serving copy)",
        "báo cáo Excel theo kỳ (reports)",
        "sổ phê duyệt vào kho (signoff)",
    }
    # no Great Expectations warning (the files were just dropped: fresh); the one warning says that
    # elements the validation rules read have no value yet, as expected from three immunisation files
    assert summary.checks_warned == ["intermediate/int_validation_rule_terms:validation_rule_elements_exist"]


def test_doses_per_ward_month_vaccine(serving):
    rows = serving.execute(
        "select ward_code, dose_month, vaccine_code, dose_number, doses from agg_immunization_ward_months "
        "order by all"
    ).fetchall()
    assert rows == [
        ("09541", "2025-03", "BCG", 1, 1),
        ("09541", "2025-03", "DTP_HEPB_HIB", 1, 2),
        ("09541", "2025-03", "DTP_HEPB_HIB", 3, 1),
        ("09541", "2025-03", "OPV", 1, 1),
        ("09542", "2025-03", "DTP_HEPB_HIB", 1, 1),
        ("09542", "2025-03", "OPV", 1, 1),
        ("09556", "2025-03", "DTP_HEPB_HIB", 2, 1),
        ("09556", "2025-03", "IPV", 1, 1),
        ("09556", "2025-03", "MEASLES", 1, 1),
    ]


def test_dropout_indicator_sums_numerators_for_the_district(serving):
    rows = serving.execute(
        """
        select org_unit_code, numerator, denominator, round(value, 4), meets_target
        from fct_ward_indicators
        where indicator_code = 'dtp_dropout' and period_type = 'month' and period_key = '2025-03'
          and org_unit_code in ('09541', '09542', '09556', '268')
        order by org_unit_code
        """
    ).fetchall()
    assert rows == [
        ("09541", 1, 2, 0.5, False),
        ("09542", 1, 1, 1.0, False),
        ("09556", 0, 0, None, None),
        ("268", 2, 3, 0.6667, False),
    ]
    wards = serving.execute(
        "select count(distinct org_unit_code) from fct_ward_indicators where org_unit_level = 'ward'"
    ).fetchone()
    assert wards == (15,)


def test_serving_copy_holds_no_names_or_ids(serving):
    columns = {r[0] for r in serving.execute("select column_name from information_schema.columns").fetchall()}
    assert not columns & {"child_name", "child_id", "birth_date"}
    meta = serving.execute("select files_loaded, files_quarantined from serving_meta").fetchone()
    assert meta == (3, 2)


@pytest.mark.slow
def test_each_ingestion_step_records_what_it_did_in_dagster(fixture_pipeline, pointed_env):
    import dagster as dg

    from orchestration.instance import home_instance

    home, _ = fixture_pipeline
    instance = home_instance(home)
    try:
        source = instance.get_latest_materialization_event(dg.AssetKey(["raw", "immunization"]))
        registry = instance.get_latest_materialization_event(dg.AssetKey(["raw", "file_registry"]))
    finally:
        instance.dispose()
        use(pointed_env)
    metadata = {k: v.value for k, v in source.asset_materialization.metadata.items()}
    assert {
        k: metadata[k] for k in ("files_loaded", "files_quarantined", "rows_loaded", "rows_rejected")
    } == {
        "files_loaded": 3,
        "files_quarantined": 2,
        "rows_loaded": 10,
        "rows_rejected": 5,
    }
    assert "TCMR_LaKhe_T03-2025.xlsx" in metadata["quarantined"]
    assert "| `TCMR_MoLao_T03-2025.xlsx` | đã nạp | 5 | 4 |  |" in metadata["files"]
    unknown = {k: v.value for k, v in registry.asset_materialization.metadata.items()}
    assert (unknown["files_quarantined"], unknown["quarantined"]) == (
        0,
        "(không có)",
    )  # none outside a source


def test_quality_mart_puts_each_file_and_row_under_its_ward(serving):
    rows = serving.execute(
        """
        select org_unit_code, files_loaded, files_quarantined, extracts_expected, extracts_received,
               extracts_late, latest_file_outcome
        from agg_quality_ward_sources
        where source = 'immunization' and files_loaded + files_quarantined > 0
        order by org_unit_code
        """
    ).fetchall()
    # January to March are owed; the quarantined files count as arrived nowhere, but under their ward
    assert rows == [
        ("09541", 1, 0, 3, 1, 1, "loaded"),  # Mộ Lao, 3 days late
        ("09542", 1, 0, 3, 1, 0, "loaded"),  # Văn Quán, on the deadline day
        ("09551", 0, 1, 3, 0, 0, "quarantined"),  # La Khê: not a workbook
        ("09552", 0, 1, 3, 0, 0, "quarantined"),  # Phú La
        ("09556", 1, 0, 3, 1, 1, "loaded"),  # Hà Cầu, copied today: late
    ]
    totals = serving.execute(
        "select sum(files_loaded), sum(files_quarantined), sum(rows_loaded), sum(rows_rejected) "
        "from agg_quality_ward_sources where source = 'immunization'"
    ).fetchone()
    assert totals == (3, 2, 10, 5)


def test_a_late_file_is_late_by_the_days_after_its_deadline(serving):
    rows = serving.execute(
        """
        select org_unit_code, deadline, strftime(first_submitted_at, '%Y-%m-%d %H:%M'), on_time, days_late
        from fct_report_submissions
        where source = 'immunization' and period_key = '2025-03' and org_unit_code in ('09541', '09542')
        order by org_unit_code
        """
    ).fetchall()
    assert rows == [
        ("09541", dt.date(2025, 4, 5), "2025-04-08 09:30", False, 3),
        ("09542", dt.date(2025, 4, 5), "2025-04-05 16:59", True, 0),
    ]
    # 15 wards × 3 months × 5 monthly ward sources + 15 quarterly registers + 3 monthly BHYT lists
    assert serving.execute(
        "select count(*), count(*) filter (where received) from fct_report_submissions"
    ).fetchone() == (243, 3)


def test_great_expectations_results_are_published_with_counts_only(serving):
    rows = serving.execute(
        "select check_name, count(*), bool_and(success) from gx_results group by all order by all"
    ).fetchall()
    assert rows == [("gx_fct_ward_indicators", 6, True), ("gx_stg_immunization__doses", 7, True)]
    columns = {r[0] for r in serving.execute("describe gx_results").fetchall()}
    assert "sample" not in columns
