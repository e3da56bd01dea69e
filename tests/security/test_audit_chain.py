"""A tamper-evident audit log: the attempt that used to work (drop the trigger, turn a failed sign-in
into a successful one, and the throttle forgets) is now seen, named, and stops sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from contextlib import closing

import pytest

from access import accounts, audit
from access.roles import Role
from base.clock import DISTRICT_TZ, local_now
from treem import cli

PASSWORD = "mat-khau-dung-1"
T0 = dt.datetime(2025, 6, 2, 8, 0, tzinfo=DISTRICT_TZ)


@pytest.fixture
def root(tmp_path):
    accounts.add_account(tmp_path, "lan", PASSWORD, Role.WARD_OFFICER, "09541", "Nguyễn Thị Lan")
    for i in range(3):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(tmp_path, "lan", "sai-mat-khau-1", T0 + dt.timedelta(seconds=i))
    return tmp_path


def _sql(root, *statements):
    con = sqlite3.connect(audit.audit_path(root))
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def test_an_untouched_log_verifies(root, capsys):
    verdict = audit.verify(root)
    assert verdict.holds and verdict.rows == 7  # account made, then 3 × (attempt, failure)
    assert cli.main(["audit", "verify", "--home", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Nhật ký truy cập nguyên vẹn: 7 dòng, mã cuối chuỗi {verdict.head}.")


def test_the_triggers_still_refuse_update_and_delete(root):
    for statement in ("update audit_log set action = 'login_ok'", "delete from audit_log"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            _sql(root, statement)


def test_turning_a_failure_into_a_success_is_named_and_stops_sign_in(root, capsys):
    assert accounts.wait_before_next_try(root, "lan", T0 + dt.timedelta(seconds=2)) == 30
    _sql(
        root,
        "drop trigger audit_log_no_update",
        "update audit_log set action = 'login_ok' where id = 7",
        audit.TRIGGER_SQL[1],  # and the trigger put back: only the chain can tell
    )
    verdict = audit.verify(root)
    assert (verdict.broken_at, verdict.reason) == (7, "nội dung dòng đã bị sửa")
    assert cli.main(["audit", "verify", "--home", str(root)]) == 1
    assert (
        "Nhật ký truy cập KHÔNG còn nguyên vẹn từ dòng 7: nội dung dòng đã bị sửa." in capsys.readouterr().err
    )
    # the throttle does not read the forged success: nobody signs in, not even with the password
    with pytest.raises(accounts.LoginRefused, match="nhật ký truy cập không còn nguyên vẹn"):
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=4))
    assert audit.entries(root)[0].action == audit.LOGIN_REFUSED
    assert audit.verify(root).broken_at == 7


def test_a_removed_row_is_named(root):
    _sql(root, "drop trigger audit_log_no_delete", "delete from audit_log where id = 4")
    assert (audit.verify(root).broken_at, audit.verify(root).reason) == (
        5,
        "thiếu dòng trước dòng 5 (dòng bị xóa)",
    )


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(root):
    """Whoever recomputes the hash of the row they changed still breaks the link of the row after it."""
    con = sqlite3.connect(audit.audit_path(root))
    con.execute("drop trigger audit_log_no_update")
    row = con.execute(f"select {', '.join(audit.COLUMNS)}, prev_hash from audit_log where id = 5").fetchone()
    forged = (*row[:4], audit.LOGIN_OK, *row[5:8])
    con.execute(
        "update audit_log set action = ?, row_hash = ? where id = 5",
        (audit.LOGIN_OK, audit.row_hash(row[8], forged)),
    )
    con.commit()
    con.close()
    assert (audit.verify(root).broken_at, audit.verify(root).reason) == (
        6,
        "mã nối không khớp dòng trước (dòng bị xóa hoặc chèn)",
    )


def test_a_dropped_trigger_alone_is_reported(root):
    _sql(root, "drop trigger audit_log_no_delete")
    verdict = audit.verify(root)
    assert (
        not verdict.holds and verdict.reason == "trigger chống sửa đã bị xóa hoặc đổi (audit_log_no_delete)"
    )
    audit.record(root, "lan", audit.LOGOUT)  # appending does not mend it
    assert audit.verify(root).reason == "trigger chống sửa đã bị xóa hoặc đổi (audit_log_no_delete)"


def test_restart_keeps_the_broken_log_and_sign_in_works_again(root, capsys):
    _sql(root, "drop trigger audit_log_no_update", "update audit_log set detail = 'x' where id = 1")
    assert cli.main(["audit", "restart", "--home", str(root), "--reason", "kiểm tra ngày 5/12"]) == 0
    aside = next(root.glob("audit-broken-*.sqlite"))
    with closing(sqlite3.connect(aside)) as evidence:  # a copy taken under the log's write lock
        assert evidence.execute("select detail from audit_log where id = 1").fetchone() == ("x",)
        assert evidence.execute("select count(*) from audit_log").fetchone() == (7,)
    assert audit.verify(root).holds
    [first] = audit.entries(root)
    assert first.action == audit.LOG_RESTARTED
    assert (
        hashlib.sha256(aside.read_bytes()).hexdigest() in first.detail
        and "kiểm tra ngày 5/12" in first.detail
    )
    assert accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(hours=1)).username == "lan"
    assert cli.main(["audit", "restart", "--home", str(root), "--reason", "x"]) == 2  # nothing to restart


def test_a_log_written_before_the_chain_is_sealed_once(tmp_path):
    path = audit.audit_path(tmp_path)
    con = sqlite3.connect(path)
    con.executescript(
        """
        create table audit_log (id integer primary key autoincrement, at text not null,
            username text not null, role text, action text not null, ward_code text, detail text);
        create trigger audit_log_no_update before update on audit_log
        begin select raise(abort, 'audit_log is append-only'); end;
        insert into audit_log (at, username, action) values ('2025-06-01T08:00:00+07:00', 'lan', 'login_ok');
        insert into audit_log (at, username, action) values ('2025-06-01T09:00:00+07:00', 'lan', 'logout');
        """
    )
    con.commit()
    con.close()
    verdict = audit.verify(tmp_path)
    assert verdict.holds and verdict.rows == 3
    assert [(e.id, e.action) for e in reversed(audit.entries(tmp_path))] == [
        (1, "login_ok"),
        (2, "logout"),
        (3, audit.LOG_UPGRADED),
    ]
    assert audit.entries(tmp_path)[0].detail == "2 dòng cũ (số 1–2) được gắn mã băm"


def test_backdating_the_failures_out_of_the_throttles_day_is_caught(root):
    """Sign-in verifies the rows the limits read (the last day) and the row before them: moving the
    recent failures a day back breaks that row."""
    _sql(
        root,
        "drop trigger audit_log_no_update",
        "update audit_log set at = '2025-05-01T08:00:00+07:00' where id >= 2",
    )
    with pytest.raises(accounts.LoginRefused, match="nhật ký truy cập không còn nguyên vẹn"):
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=4))


def test_sign_in_reads_only_the_last_day_and_a_full_check_reads_everything(root):
    """An edit older than the throttle's day does not stop sign-in (nothing there changes a limit), but
    `treem audit verify`, every `treem run` and the log page walk the whole chain and name it."""
    _sql(root, "drop trigger audit_log_no_update", "update audit_log set detail = 'x' where id = 1")
    later = local_now() + accounts.MEMORY + dt.timedelta(minutes=1)
    with pytest.raises(accounts.LoginRefused, match="nhật ký truy cập không còn nguyên vẹn"):
        accounts.authenticate(root, "lan", PASSWORD, later)  # the trigger is gone: seen at once
    _sql(root, audit.TRIGGER_SQL[1])
    assert accounts.authenticate(root, "lan", PASSWORD, later + dt.timedelta(minutes=1)).username == "lan"
    assert audit.verify(root).broken_at == 1


def test_the_row_just_before_the_throttles_day_is_checked(root):
    """Sign-in starts its walk at the first row of the day and checks the row before it too."""
    _sql(
        root,
        "drop trigger audit_log_no_update",
        "update audit_log set detail = 'x' where id = 7",
        audit.TRIGGER_SQL[1],
    )
    later = local_now() + accounts.MEMORY + dt.timedelta(minutes=1)
    with pytest.raises(accounts.LoginRefused, match="nhật ký truy cập không còn nguyên vẹn"):
        accounts.authenticate(root, "lan", PASSWORD, later)


def test_a_row_inserted_outside_the_chain_is_refused_then_named(root):
    row = ("'2025-06-02T09:00:00+07:00'", "'lan'", "null", "'login_ok'", "null", "null", "null", "'x'", "'y'")
    for number in (0, -7, 8):
        with pytest.raises(sqlite3.IntegrityError):  # the append-only trigger, or the id check
            _sql(root, f"insert into audit_log values ({number}, {', '.join(row)})")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):  # even without the trigger
        _sql(
            root, "drop trigger audit_log_append_only", f"insert into audit_log values (0, {', '.join(row)})"
        )
    _sql(
        root,
        "drop trigger if exists audit_log_append_only",
        f"insert into audit_log values (8, {', '.join(row)})",
    )
    verdict = audit.verify(root)
    assert (verdict.broken_at, verdict.reason) == (8, "mã nối không khớp dòng trước (dòng bị xóa hoặc chèn)")


def test_removing_the_hash_columns_does_not_reseal_the_log(root):
    """Only a log of the older treem (AUTOINCREMENT, no hashes) is sealed on opening; a chained log
    stripped of its hashes stays broken, whatever is deleted first."""
    _sql(
        root,
        "drop trigger audit_log_no_delete",
        "delete from audit_log where action in ('login_attempt', 'login_failed')",
        "drop trigger audit_log_append_only",
        "alter table audit_log drop column row_hash",
    )
    verdict = audit.verify(root)
    assert verdict.reason == "bảng nhật ký không có cột mã băm (đã bị sửa cấu trúc)"
    with pytest.raises(accounts.LoginRefused, match="nhật ký truy cập không còn nguyên vẹn"):
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=4))


def test_a_deleted_or_unreadable_log_and_a_cut_tail_are_named(root, capsys):
    head = audit.verify(root)
    assert cli.main(["audit", "verify", "--home", str(root), "--expect", f"7:{head.head}"]) == 0
    _sql(
        root, "drop trigger audit_log_no_delete", "delete from audit_log where id >= 6", audit.TRIGGER_SQL[2]
    )
    assert audit.verify(root).holds  # a shorter chain is still a chain…
    assert cli.main(["audit", "verify", "--home", str(root), "--expect", f"7:{head.head}"]) == 1
    assert "không còn dòng này (các dòng cuối đã bị xóa)" in capsys.readouterr().err  # …but not the one noted
    audit.audit_path(root).write_bytes(b"not a database at all" * 100)
    assert audit.verify(root).reason.startswith("Không đọc được tệp nhật ký truy cập audit.sqlite")
    with pytest.raises(accounts.LoginRefused, match="nhật ký truy cập không còn nguyên vẹn"):
        accounts.authenticate(root, "lan", PASSWORD, T0 + dt.timedelta(seconds=4))
    assert cli.main(["audit", "restart", "--home", str(root), "--reason", "tệp hỏng"]) == 0
    assert audit.verify(root).holds
    audit.audit_path(root).unlink()
    assert audit.verify(root).reason == "tệp nhật ký truy cập đã bị xóa"
