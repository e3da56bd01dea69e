"""CLI guards: a report never overwrites treem's own files or, unasked, anyone's; account names match
the whole pattern (a trailing newline made an account nobody could sign in to); display names are one
printable line."""

from __future__ import annotations

import pytest

from access import accounts
from access.roles import AccountError, Role
from tests.conftest import PERIOD, treem_cli
from treem.cli import main


def test_report_out_refuses_the_serving_copy_and_every_path_in_the_home(fixture_home, pointed_env, capsys):
    before = fixture_home.serving.read_bytes()
    for target in (fixture_home.serving, fixture_home.root / "x.xlsx", fixture_home.reports / "mine.xlsx"):
        assert (
            treem_cli(
                pointed_env,
                "report",
                "--home",
                str(fixture_home.root),
                "--period",
                PERIOD,
                "--out",
                str(target),
                "--force",
            )
            == 2
        )
        assert f"Không ghi báo cáo vào {target}: thư mục dữ liệu {fixture_home.root} chỉ do treem ghi." in (
            capsys.readouterr().err
        )
    assert fixture_home.serving.read_bytes() == before
    assert not (fixture_home.root / "x.xlsx").exists()


def test_report_out_through_a_link_into_the_home_is_refused(fixture_home, pointed_env, tmp_path, capsys):
    (tmp_path / "lối-tắt").symlink_to(fixture_home.root)
    target = tmp_path / "lối-tắt" / "serving.duckdb"
    assert (
        treem_cli(
            pointed_env, "report", "--home", str(fixture_home.root), "--period", PERIOD, "--out", str(target)
        )
        == 2
    )
    assert "chỉ do treem ghi" in capsys.readouterr().err


@pytest.mark.slow
def test_report_out_asks_for_force_before_overwriting(report_home, pointed_env, tmp_path, capsys):
    target = tmp_path / "bao-cao.xlsx"
    target.write_bytes(b"a report of mine")
    args = ("report", "--home", str(report_home.root), "--period", PERIOD, "--out", str(target))
    assert treem_cli(pointed_env, *args) == 2
    assert f"Đã có tệp {target}: thêm --force để ghi đè." in capsys.readouterr().err
    assert target.read_bytes() == b"a report of mine"
    assert treem_cli(pointed_env, *args, "--force") == 0
    assert target.read_bytes().startswith(b"PK")  # an .xlsx now
    assert treem_cli(pointed_env, *args[:-1], str(tmp_path / "bao-cao.csv")) == 2
    assert "Tệp báo cáo phải có đuôi .xlsx: bao-cao.csv" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["lan\n", "lan\nx", "Lan", "la", "lan tran", "-lan", "a" * 33, "lan/../x"])
def test_account_names_must_match_as_a_whole(tmp_path, name):
    with pytest.raises(AccountError, match="không hợp lệ"):
        accounts.add_account(tmp_path, name, "mat-khau-dung-1", Role.DISTRICT_LEADER)
    assert accounts.list_accounts(tmp_path) == []


def test_the_user_command_refuses_a_name_ending_in_a_newline(tmp_path, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dung-1\n"))
    code = main(
        ["user", "--home", str(tmp_path), "add", "lan\n", "--role", "district_leader", "--password-stdin"]
    )
    assert code == 2 and "Tên đăng nhập 'lan\n' không hợp lệ" in capsys.readouterr().err


@pytest.mark.parametrize("display", ["Lan\n![x](http://evil.example/p.png)", "Lan\x1b[31m", "x" * 81])
def test_display_names_are_one_printable_line(tmp_path, display):
    with pytest.raises(AccountError, match="một dòng chữ in được"):
        accounts.add_account(tmp_path, "lan", "mat-khau-dung-1", Role.DISTRICT_LEADER, name=display)
