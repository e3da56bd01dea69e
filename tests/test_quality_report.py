"""`treem quality`: the comparison of the quality mart with the generator's ground truth (pure), the
report's text, and the per-file ground truth it relies on."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest

from demo import generate
from demo.ground_truth import period_of
from treem.quality_report import Serving, compare, render, summarize, truth_counts


def _file(name, ward, period, submitted, days_late, fault=None, rows_bad=None):
    return {
        "file": name,
        "ward_code": ward,
        "period": period,
        "fault": fault,
        "rows_bad": rows_bad or {},
        "submitted_at": submitted,
        "days_late": days_late,
    }


TRUTH = {
    "year": 2025,
    "seed": 1,
    "scale": 0.01,
    "messy": 0.1,
    "sources": {
        "immunization": {
            "files_list": [
                _file("TCMR_MoLao_T01-2025.xlsx", "09541", "2025-01", "2025-02-03T10:00:00+07:00", 0,
                      rows_bad={"invalid_id": 2, "duplicate": 1}),
                # quarantined, and late: the warehouse has the month as not received, not late
                _file("TCMR_MoLao_T02-2025.xlsx", "09541", "2025-02", "2025-03-09T10:00:00+07:00", 4,
                      fault="unreadable"),
                # the year before: its rows count, its lateness does not (not owed)
                _file("TCMR_MoLao_T12-2024.xlsx", "09541", "2024-12", "2025-01-08T10:00:00+07:00", 3,
                      rows_bad={"unknown_ward": 1}),
                _file("TCMR_VanQuan_T01-2025.xlsx", "09542", "2025-01", "2025-02-07T10:00:00+07:00", 2),
                # on time, then a late correction: the first loaded file decides
                _file("TCMR_VanQuan_T03-2025.xlsx", "09542", "2025-03", "2025-04-04T10:00:00+07:00", 0),
                _file("TCMR_VanQuan_T03-2025b.xlsx", "09542", "2025-03", "2025-04-20T10:00:00+07:00", 15),
            ]
        },
        "injuries": {
            "files_list": [
                # a ward of 2024 counts for today's ward (Nguyễn Trãi → Quang Trung)
                _file("TNTT_NguyenTrai_2024.xlsx", "09538", "2024", "2025-01-03T10:00:00+07:00", 0,
                      fault="missing_column"),
                _file("TNTT_QuangTrung_T03-2025.xlsx", "09550", "2025-03", "2025-04-06T10:00:00+07:00", 1,
                      rows_bad={"duplicate": 1}),
            ]
        },
        "health_insurance": {
            "files_list": [
                # a district-wide list has no ward: it counts for the district
                _file("BHYT_202501.csv", None, "2025-01", "2025-02-05T10:00:00+07:00", 0,
                      rows_bad={"invalid_id": 3}),
                _file("BHYT_202502.csv", None, "2025-02", "2025-03-06T10:00:00+07:00", 1,
                      fault="missing_column"),
            ]
        },
    },
}  # fmt: skip
CURRENT_WARD = {"09541": "09541", "09542": "09542", "09550": "09550", "09538": "09550"}


def _mart(unit, source, quarantined, rejected, late, **other):
    row = {
        "org_unit_code": unit,
        "org_unit_level": "district" if unit == "268" else "ward",
        "source": source,
        "files_loaded": 1,
        "files_quarantined": quarantined,
        "rows_loaded": 100,
        "rows_rejected": rejected,
        "rejected_share": None,
        "extracts_expected": 12,
        "extracts_received": 11,
        "extracts_on_time": 11 - late,
        "extracts_late": late,
        "max_days_late": 4 if late else None,
        "open_violations": 0,
        "outliers": 0,
        "reconciliation_children": 0,
    }
    return {**row, **other}


def test_truth_counts_mirror_the_warehouse_definitions():
    assert truth_counts(TRUTH, CURRENT_WARD) == {
        ("09541", "immunization"): {"files_quarantined": 1, "rows_rejected": 4, "extracts_late": 0},
        ("09542", "immunization"): {"files_quarantined": 0, "rows_rejected": 0, "extracts_late": 1},
        ("09550", "injuries"): {"files_quarantined": 1, "rows_rejected": 1, "extracts_late": 1},
        ("268", "health_insurance"): {"files_quarantined": 1, "rows_rejected": 3, "extracts_late": 0},
    }


def test_compare_lists_every_cell_of_either_side_and_the_mismatch():
    marts = [
        _mart("09541", "immunization", 1, 4, 0),
        _mart("09541", "injuries", 0, 0, 0),  # nothing in the truth: 0 there
        _mart("09542", "immunization", 0, 0, 1),
        _mart("09550", "injuries", 0, 1, 1),  # the 2024 file of Nguyễn Trãi lost its ward
        _mart("268", "health_insurance", 1, 3, 0),
    ]
    rows = compare(TRUTH, marts, CURRENT_WARD)
    assert rows == [
        {"org_unit_code": "09541", "source": "immunization", "files_quarantined": 1,
         "files_quarantined_truth": 1, "rows_rejected": 4, "rows_rejected_truth": 4, "extracts_late": 0,
         "extracts_late_truth": 0},
        {"org_unit_code": "09541", "source": "injuries", "files_quarantined": 0, "files_quarantined_truth": 0,
         "rows_rejected": 0, "rows_rejected_truth": 0, "extracts_late": 0, "extracts_late_truth": 0},
        {"org_unit_code": "09542", "source": "immunization", "files_quarantined": 0,
         "files_quarantined_truth": 0, "rows_rejected": 0, "rows_rejected_truth": 0, "extracts_late": 1,
         "extracts_late_truth": 1},
        {"org_unit_code": "09550", "source": "injuries", "files_quarantined": 0, "files_quarantined_truth": 1,
         "rows_rejected": 1, "rows_rejected_truth": 1, "extracts_late": 1, "extracts_late_truth": 1},
        {"org_unit_code": "268", "source": "health_insurance", "files_quarantined": 1,
         "files_quarantined_truth": 1, "rows_rejected": 3, "rows_rejected_truth": 3, "extracts_late": 0,
         "extracts_late_truth": 0},
    ]  # fmt: skip
    assert summarize(rows) == [
        {"measure": "files_quarantined", "warehouse": 2, "truth": 3, "matches": False,
         "differ": [("09550", "injuries", 0, 1)]},
        {"measure": "rows_rejected", "warehouse": 8, "truth": 8, "matches": True, "differ": []},
        {"measure": "extracts_late", "warehouse": 2, "truth": 2, "matches": True, "differ": []},
    ]  # fmt: skip


def test_a_cell_only_in_the_truth_and_offsetting_cells_do_not_match():
    """Equal totals are not enough: two cells off by one in opposite directions are a mismatch, and a
    ward the warehouse has no row for shows with 0 on the warehouse's side."""
    marts = [
        _mart("09541", "immunization", 1, 5, 0),  # one rejected row too many here…
        _mart("09542", "immunization", 0, 0, 1),
        _mart("09550", "injuries", 1, 0, 1),  # …and one too few here
    ]
    rows = compare(TRUTH, marts, CURRENT_WARD)
    assert [r for r in rows if r["org_unit_code"] == "268"] == [
        {"org_unit_code": "268", "source": "health_insurance", "files_quarantined": 0,
         "files_quarantined_truth": 1, "rows_rejected": 0, "rows_rejected_truth": 3, "extracts_late": 0,
         "extracts_late_truth": 0},
    ]  # fmt: skip
    rejected = summarize(r for r in rows if r["org_unit_code"] != "268")[1]
    assert rejected == {
        "measure": "rows_rejected",
        "warehouse": 5,
        "truth": 5,
        "matches": False,
        "differ": [("09541", "immunization", 5, 4), ("09550", "injuries", 0, 1)],
    }


def _serving(rows):
    return Serving(
        rows=rows,
        ward_names={"09541": "Mộ Lao", "09542": "Văn Quán", "09550": "Quang Trung", "268": "Quận Hà Đông"},
        current_ward=CURRENT_WARD,
        district_code="268",
        district_name="Hà Đông",
    )


def test_report_per_ward_with_the_district_line_and_the_verdicts():
    marts = [
        _mart("09541", "immunization", 1, 4, 0, rows_loaded=1996),
        _mart("09542", "immunization", 0, 0, 1),
        _mart("09550", "injuries", 0, 1, 1),
        _mart("268", "health_insurance", 1, 3, 0, rows_loaded=12345),
    ]
    text = render(_serving(marts))
    lines = text.splitlines()
    assert "Phường Mộ Lao (09541)" in lines
    assert "Quận Hà Đông (268), danh sách cấp quận" in lines
    mo_lao = next(line for line in lines if line.strip().startswith("Tiêm chủng mở rộng") and "0,2%" in line)
    assert mo_lao.split()[4:] == ["1", "4", "0,2%", "12", "11", "0", "–", "0", "0", "0"]
    # sources by their Vietnamese names (the contracts' name_vi), never their codes; no doubled word
    assert "immunization" not in text and "health_insurance" not in text and "injuries" not in text
    assert "Thẻ BHYT trẻ em dưới 6 tuổi" in text
    assert "muộn muộn" not in text
    total_at = lines.index("Toàn quận Hà Đông (268)")
    assert lines[total_at + 2].split() == [
        "mọi", "nguồn", "2", "8", "0,1%", "48", "44", "2", "4", "0", "0", "0",
    ]  # fmt: skip
    assert "khớp" not in text  # no truth asked for

    text = render(_serving(marts), truth=TRUTH)
    lines = text.splitlines()
    assert lines[lines.index("Phường Quang Trung (09550)") + 2].split() == ["kho", "|", "gốc"] * 3
    quang_trung = lines[lines.index("Phường Quang Trung (09550)") + 3]
    assert quang_trung.split()[:11] == ["Tai", "nạn,", "thương", "tích", "trẻ", "em", "0", "≠", "1", "1", "|"]
    verdicts = {line.split("kho")[0].strip(): line.split()[-1] for line in lines if "   gốc " in line}
    assert verdicts == {"tệp bị cách ly": "nguồn", "dòng bị loại": "khớp", "kỳ báo cáo nộp muộn": "khớp"}
    assert "lệch ở 1 ô phường × nguồn" in text
    assert "      09550 Tai nạn, thương tích trẻ em: kho 0, gốc 1" in lines

    one = render(_serving(marts), ward="09542", truth=TRUTH)
    assert "Phường Mộ Lao (09541)" not in one and "Tổng phường Văn Quán (09542)" in one
    assert one.count("khớp") == 3


@pytest.fixture(scope="module")
def messy_truth(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("messy-truth"), seed=3, scale=0.02, messy=0.1)


def test_each_file_carries_its_fault_bad_rows_deadline_and_lateness(messy_truth):
    for source, entry in messy_truth["sources"].items():
        faults = {f["file"]: f["fault"] for f in entry["files_list"] if f["fault"]}
        assert faults == {name: kind for kind, names in entry["files_bad"].items() for name in names}, source
        per_file = Counter()
        for item in entry["files_list"]:
            per_file.update(item["rows_bad"])
            assert all(n > 0 for n in item["rows_bad"].values())
            if item["fault"]:
                assert item["rows_bad"] == {}
            else:
                assert item["rows_good"] + sum(item["rows_bad"].values()) == item["rows_written"]
            due = period_of(item["period"]).due
            assert item["due"] == due.isoformat() and due.day == 5
            submitted = datetime.fromisoformat(item["submitted_at"]).date()
            assert item["days_late"] == max(0, (submitted - due).days)
        assert dict(per_file) == {k: n for k, n in entry["rows_bad"].items() if n}, source
    late = [f for e in messy_truth["sources"].values() for f in e["files_list"] if f["days_late"]]
    assert late and all(f["days_late"] >= 1 for f in late)


def test_period_codes_and_their_deadlines():
    assert period_of("2025-03").due == date(2025, 4, 5)
    assert period_of("2025-12").due == date(2026, 1, 5)
    assert period_of("2025-Q4").due == date(2026, 1, 5)
    assert period_of("2024").due == date(2025, 1, 5)
