"""Files only their owner reads: the umask every treem process sets, and the repair of an older home.
(A whole demo home, after `treem generate` and `treem run`, is walked in test_demo_home.py.)"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from base.file_modes import Modes, fix_modes, modes
from base.home import Home
from treem import cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_every_kind_of_file_treem_writes_is_the_owners_only(tmp_path):
    """In a process under treem's umask, what DuckDB (database and WAL), SQLite, openpyxl and plain
    writes create is 0600, and folders 0700: run apart, so the test process keeps its own umask."""
    script = textwrap.dedent(
        """
        import os, sqlite3, sys
        from pathlib import Path
        import duckdb, openpyxl
        from base.file_modes import use_private_umask
        use_private_umask()
        root = Path(sys.argv[1])
        (root / "folder" / "inner").mkdir(parents=True)
        con = duckdb.connect(str(root / "serving_restricted.duckdb.tmp"))
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("create table t as select 1 as x")
        os.link(root / "serving_restricted.duckdb.tmp.wal", root / "wal-while-open")
        con.close()
        sqlite3.connect(root / "audit.sqlite").execute("create table t (x)")
        openpyxl.Workbook().save(root / "report.xlsx")
        (root / "receipt.json").write_text("{}")
        """
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, cwd=cli.PROJECT_ROOT)
    made = sorted(p for p in tmp_path.rglob("*"))
    assert {p.name for p in made} >= {
        "serving_restricted.duckdb.tmp",
        "wal-while-open",
        "audit.sqlite",
        "report.xlsx",
        "receipt.json",
        "folder",
        "inner",
    }
    wrong = {p.name: oct(_mode(p)) for p in made if _mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def test_an_older_home_is_brought_to_the_owners_modes(tmp_path):
    home = Home(tmp_path / "home")
    (home.archive / "immunization").mkdir(parents=True)
    os.chmod(home.root, 0o755)
    os.chmod(home.archive, 0o755)
    os.chmod(home.archive / "immunization", 0o700)
    extract = home.archive / "immunization" / "TCMR_MoLao_T03-2025.xlsx"
    extract.write_bytes(b"x")
    os.chmod(extract, 0o644)
    warehouse = home.warehouse
    warehouse.write_bytes(b"x")
    os.chmod(warehouse, 0o600)  # already right: not reported
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not treem's")
    os.chmod(elsewhere, 0o644)
    (home.root / "link").symlink_to(elsewhere)

    changed = fix_modes(home.root, Modes(0o077, 0o700, 0o600, None))

    assert sorted(p.relative_to(tmp_path) for p in changed) == [
        Path("home"),
        Path("home/archive"),
        Path("home/archive/immunization/TCMR_MoLao_T03-2025.xlsx"),
    ]
    assert (_mode(home.root), _mode(home.archive), _mode(extract)) == (0o700, 0o700, 0o600)
    assert _mode(elsewhere) == 0o644  # a link is not followed out of the home
    assert fix_modes(home.root, Modes(0o077, 0o700, 0o600, None)) == []


def test_treem_run_says_what_it_fixed(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TREEM_GROUP", raising=False)
    home = Home(tmp_path / "home").ensure()
    fix_modes(home.root)
    os.chmod(home.root, 0o755)
    (home.root / "accounts.json").write_text("{}")
    os.chmod(home.root / "accounts.json", 0o644)
    cli._private_home(home)
    err = capsys.readouterr().err
    assert err.startswith(f"! 2 tệp/thư mục trong {home.root} có quyền đọc rộng hơn cần thiết: đã sửa")
    assert "(thư mục 700, tệp 600)" in err
    assert _mode(home.root / "accounts.json") == 0o600


def test_a_named_group_may_read_and_never_write(tmp_path, monkeypatch):
    group = os.getgid()
    import grp

    monkeypatch.setenv("TREEM_GROUP", grp.getgrgid(group).gr_name)
    wanted = modes()
    assert (wanted.umask, wanted.folder, wanted.file, wanted.gid) == (0o027, 0o2750, 0o640, group)
    folder = tmp_path / "home"
    folder.mkdir()
    os.chmod(folder, 0o755)  # whatever this process's umask
    (folder / "warehouse.duckdb").write_bytes(b"x")
    os.chmod(folder / "warehouse.duckdb", 0o666)
    fix_modes(folder, wanted)
    assert (_mode(folder), _mode(folder / "warehouse.duckdb")) == (0o2750, 0o640)


def test_a_group_that_does_not_exist_stops_every_command(monkeypatch, capsys):
    monkeypatch.setenv("TREEM_GROUP", "khong-co-nhom-nay")
    assert cli.main(["status"]) == 2
    assert (
        "TREEM_GROUP='khong-co-nhom-nay': không có nhóm người dùng này trên máy." in capsys.readouterr().err
    )


def test_the_repair_only_takes_permissions_away(tmp_path, monkeypatch):
    """With a group named, a file kept for the owner alone (accounts, the restricted lists) stays so,
    and a read-only file stays read-only."""
    import grp

    monkeypatch.setenv("TREEM_GROUP", grp.getgrgid(os.getgid()).gr_name)
    for name, mode in (("accounts.json", 0o600), ("frozen.xlsx", 0o400), ("open.csv", 0o666)):
        (tmp_path / name).write_text("x")
        os.chmod(tmp_path / name, mode)
    fix_modes(tmp_path, modes())
    assert {n: _mode(tmp_path / n) for n in ("accounts.json", "frozen.xlsx", "open.csv")} == {
        "accounts.json": 0o600,
        "frozen.xlsx": 0o400,
        "open.csv": 0o640,
    }


@pytest.mark.parametrize("entry", ["orchestration/definitions.py", "dashboard/app.py", "dashboard/server.py"])
def test_every_entry_point_sets_the_umask(entry):
    """The command line sets it in main(); Dagster's code location and the dashboard, which can be
    started without it, set it themselves."""
    assert "use_private_umask()" in (cli.PROJECT_ROOT / entry).read_text(encoding="utf-8")
