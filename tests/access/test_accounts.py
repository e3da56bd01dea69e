"""Accounts: argon2 hashes only, sign-in refused and slowed after failures, disabled accounts, the
audit log that records it all and cannot be changed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from access import accounts, audit
from access.roles import AccountError, Role, Viewer

PASSWORD = "mật-khẩu-đủ-dài-1"
T0 = dt.datetime(2026, 11, 29, 9, 0, 0)


@pytest.fixture
def root(tmp_path):
    accounts.add_account(tmp_path, "lan", PASSWORD, Role.WARD_OFFICER, "09541", "Nguyễn Thị Lan")
    return tmp_path


def test_the_password_is_stored_only_as_an_argon2id_hash(root):
    text = accounts.accounts_path(root).read_text(encoding="utf-8")
    assert PASSWORD not in text and '"password_hash": "$argon2id$' in text
    assert accounts.accounts_path(root).stat().st_mode & 0o077 == 0  # the owner's alone


def test_right_password_gives_the_viewer_with_role_and_ward(root):
    assert accounts.authenticate(root, "LAN ", PASSWORD, T0) == Viewer(
        "lan", "Nguyễn Thị Lan", Role.WARD_OFFICER, "09541"
    )
    assert [(e.username, e.action, e.role, e.ward_code) for e in audit.entries(root)][:1] == [
        ("lan", audit.LOGIN_OK, "ward_officer", "09541")
    ]


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(root):
    for name, password in (("lan", "sai-mat-khau-1"), ("khong-co", PASSWORD)):
        with pytest.raises(accounts.LoginRefused, match="^Sai tên đăng nhập hoặc mật khẩu.$"):
            accounts.authenticate(root, name, password, T0)


def test_three_wrong_passwords_slow_the_next_try_and_a_success_resets(root):
    for i in range(3):
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.authenticate(root, "lan", "sai-mat-khau-1", T0 + dt.timedelta(seconds=i))
        assert refused.value.wait_seconds == 0
    # the 4th try, 10 s after the 3rd failure: refused unchecked, even with the right password
    with pytest.raises(accounts.LoginRefused, match="thử lại sau 20 giây") as refused:
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=12))
    assert refused.value.wait_seconds == 20
    # after the 30 s wait a wrong password counts again (4 in a row): now 60 s
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(root, "lan", "sai-mat-khau-1", T0 + dt.timedelta(seconds=32))
    assert accounts.wait_before_next_try(root, "lan", T0 + dt.timedelta(seconds=32)) == 60
    assert (
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=92)).role == Role.WARD_OFFICER
    )
    assert accounts.wait_before_next_try(root, "lan", T0 + dt.timedelta(seconds=93)) == 0
    actions = [e.action for e in reversed(audit.entries(root)) if e.action != audit.ACCOUNT_CHANGE]
    checked = [audit.LOGIN_ATTEMPT, audit.LOGIN_FAILED]  # each try is counted before its check
    assert actions == checked * 3 + [audit.LOGIN_THROTTLED, *checked, audit.LOGIN_ATTEMPT, audit.LOGIN_OK]


def test_a_disabled_account_cannot_sign_in_and_a_new_password_works(root):
    accounts.set_password(root, "lan", "mat-khau-moi-2026")
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(root, "lan", PASSWORD, T0)
    assert accounts.authenticate(root, "lan", "mat-khau-moi-2026", T0).username == "lan"
    accounts.disable_account(root, "lan")
    with pytest.raises(accounts.LoginRefused, match="bị khóa"):
        accounts.authenticate(root, "lan", "mat-khau-moi-2026", T0)


@pytest.mark.parametrize(
    ("username", "password", "role", "ward", "message"),
    [
        ("lan", PASSWORD, Role.DISTRICT_LEADER, None, "Đã có tài khoản 'lan'"),
        ("ab", PASSWORD, Role.DISTRICT_LEADER, None, "không hợp lệ"),
        ("minh", "ngan", Role.DISTRICT_LEADER, None, "ít nhất 10 ký tự"),
        ("minh", PASSWORD, Role.WARD_OFFICER, None, "phải có mã phường"),
        ("minh", PASSWORD, Role.DATA_ENGINEER, "09541", "không gắn với phường"),
    ],
)
def test_accounts_that_cannot_be_made(root, username, password, role, ward, message):
    with pytest.raises(AccountError, match=message):
        accounts.add_account(root, username, password, role, ward)


@pytest.mark.parametrize(
    ("role", "ward", "source", "message"),
    [
        (Role.OFFICE, "09541", None, "phải có nguồn dữ liệu"),
        (Role.OFFICE, None, "immunization", "do từng phường gửi: tài khoản cần mã phường"),
        (
            Role.OFFICE,
            "09541",
            "health_insurance",
            "gửi một tệp cho toàn quận: tài khoản không gắn với phường",
        ),
        (Role.OFFICE, None, "tiem_chung", "Không có nguồn 'tiem_chung'"),
        (Role.WARD_OFFICER, "09541", "immunization", "Chỉ tài khoản đơn vị gửi số liệu"),
    ],
)
def test_office_accounts_that_cannot_be_made(root, role, ward, source, message):
    with pytest.raises(AccountError, match=message):
        accounts.add_account(root, "tram", PASSWORD, role, ward, source=source)


def test_an_office_signs_in_as_its_source_and_ward(root):
    accounts.add_account(
        root, "tram.molao", PASSWORD, Role.OFFICE, "09541", "Trạm y tế Mộ Lao", "immunization"
    )
    accounts.add_account(root, "bhxh", PASSWORD, Role.OFFICE, None, "BHXH quận", "health_insurance")
    viewer = accounts.authenticate(root, "tram.molao", PASSWORD, T0)
    assert viewer == Viewer("tram.molao", "Trạm y tế Mộ Lao", Role.OFFICE, "09541", "immunization")
    assert viewer.sends_extracts and not (viewer.sees_child_lists or viewer.sees_quality_detail)
    assert accounts.get_account(root, "bhxh").viewer().source == "health_insurance"
    created = [e.detail for e in audit.entries(root) if e.action == audit.ACCOUNT_CHANGE]
    assert "tạo tài khoản (nguồn immunization)" in created


def test_the_audit_log_refuses_updates_and_deletes(root):
    accounts.authenticate(root, "lan", PASSWORD, T0)
    con = sqlite3.connect(audit.audit_path(root))
    try:
        for sql in ("update audit_log set username = 'x'", "delete from audit_log"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()
    assert len(audit.entries(root)) == 3  # the account's creation, the sign-in's attempt and success


def test_user_command_adds_lists_changes_and_disables(tmp_path, monkeypatch, capsys):
    import io

    from treem.cli import main

    for name in ("TREEM_HOME", "DAGSTER_HOME", "DBT_LOG_PATH"):  # the command points them at its home
        monkeypatch.setenv(name, os.environ.get(name, ""))

    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai\n"))
    assert (
        main(
            ["--home", str(tmp_path), "user", "add", "minh", "--role", "district_leader", "--password-stdin"]
        )
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-khac-dai\n"))
    assert main(["--home", str(tmp_path), "user", "passwd", "minh", "--password-stdin"]) == 0
    assert accounts.authenticate(tmp_path, "minh", "mat-khau-khac-dai").role == Role.DISTRICT_LEADER
    assert main(["--home", str(tmp_path), "user", "disable", "minh"]) == 0
    assert main(["--home", str(tmp_path), "user", "list"]) == 0
    out = capsys.readouterr().out
    assert "Đã tạo tài khoản minh (Lãnh đạo quận, toàn quận)." in out
    assert "minh                 Lãnh đạo quận          toàn quận  đã khóa  minh" in out
    assert main(["--home", str(tmp_path), "user", "disable", "ai-do"]) == 2
    assert "Không có tài khoản 'ai-do'." in capsys.readouterr().err


def test_the_demo_gets_one_account_once_and_its_password_is_printed(tmp_path, capsys):
    from base.home import Home
    from treem.cli import ensure_demo_account

    home = Home(tmp_path)
    ensure_demo_account(home)
    out = capsys.readouterr().out
    # in a frame at the end of the output, so it is not lost among the run's lines
    lines = out.strip().splitlines()
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    assert all(line.startswith("│") and line.endswith("│") for line in lines[1:-1])
    assert len({len(line) for line in lines}) == 1
    password = out.split("Mật khẩu:")[1].split("│")[0].strip()
    assert accounts.authenticate(tmp_path, "demo", password).role == Role.DISTRICT_LEADER
    ensure_demo_account(home)  # a home with an account gets no other, and is told which to use
    assert [a.username for a in accounts.list_accounts(tmp_path)] == ["demo"]
    out = capsys.readouterr().out
    assert "Mật khẩu:" not in out and "treem user passwd demo" in out


def test_the_calendar_and_the_contracts_agree_on_who_sends_each_source():
    from ingestion.contract import load_contracts

    contracts = load_contracts()
    assert accounts.sources_sent_per_ward() == {s: c.ward_scope == "ward" for s, c in contracts.items()}
