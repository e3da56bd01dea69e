"""`treem report`: list the periods, write one edition where asked, explain what is wrong in Vietnamese."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.conftest import PERIOD, WARD, treem_cli

pytestmark = pytest.mark.slow


def test_list_shows_each_report_period_with_its_window_deadline_and_data(report_home, pointed_env, capsys):
    assert treem_cli(pointed_env, "--home", str(report_home.root), "report", "--list") == 0
    out = capsys.readouterr().out
    assert (
        "  2025-BCT-6T    Báo cáo Bộ chỉ tiêu trẻ em 6 tháng năm 2025 (số liệu 01/01/2025–30/04/2025, "
        "hạn 12/05/2025): có số liệu"
    ) in out.splitlines()
    assert out.count(": có số liệu") == 5


def test_one_wards_edition_to_a_chosen_file(report_home, pointed_env, capsys, tmp_path):
    out = tmp_path / "mo-lao.xlsx"
    args = ("report", "--home", str(report_home.root), "--period", PERIOD, "--ward", WARD, "--out", str(out))
    assert treem_cli(pointed_env, *args) == 0
    assert f"Đã ghi báo cáo {out}" in capsys.readouterr().out
    assert load_workbook(out)["PL1 Bộ chỉ tiêu"]["B11"].value == "Mộ Lao"


def test_default_file_goes_under_the_homes_reports_folder(report_home, pointed_env, capsys):
    assert treem_cli(pointed_env, "--home", str(report_home.root), "report", "--period", "2025-BCT-9T") == 0
    written = report_home.reports / "2025-BCT-9T" / "2025-BCT-9T_268-toan-quan.xlsx"
    assert f"Đã ghi báo cáo {written}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2025-XX"), "Không có kỳ báo cáo '2025-XX' trong lịch báo cáo; các kỳ: 2025-BCT-6T, "),
        (
            ("--period", PERIOD, "--ward", "99999"),
            "Không có phường mã '99999' trong danh sách phường hiện nay.",
        ),
    ],
)
def test_a_wrong_period_or_ward_is_named(report_home, pointed_env, capsys, args, message):
    assert treem_cli(pointed_env, "--home", str(report_home.root), "report", *args) == 2
    assert message in capsys.readouterr().err


def test_before_the_first_run_it_says_to_run_first(pointed_env, capsys, tmp_path):
    assert treem_cli(pointed_env, "--home", str(tmp_path / "empty"), "report", "--period", PERIOD) == 2
    assert "Chưa có bản phục vụ" in capsys.readouterr().err
