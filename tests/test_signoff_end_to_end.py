"""Sign-off through the whole pipeline (a copy of the report home): every ward approves the 6-month
report, the district through `treem approve`, an office sends a correction of a birth registration,
`treem run` loads it: the frozen workbooks keep their bytes, the current workbooks become amended
editions whose change sheet lists exactly the figures the warehouse says changed, the receipt says the
period is approved, and the warehouse holds the approvals and the figures approved."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import duckdb
import openpyxl
import pytest

from access import audit
from access.roles import Role, Viewer
from base.home import Home
from orchestration.run_once import run_pipeline
from reports import signoff
from reports.build import report_file_name
from signoff import ledger
from tests.conftest import use

pytestmark = pytest.mark.slow
PERIOD = "2025-BCT-6T"
ROOT = Path(__file__).resolve().parents[1]


def _correct_a_birth(home: Home) -> tuple[str, Path]:
    """An on-time registration of March 2025 made late (the birth date moved to 70 days before the
    registration, in the same year: the personal ID holds the year), sent again under a new name;
    returns the ward's code and the corrected file's inbox path."""
    for path in sorted((home.archive / "birth_registration" / "2025-03").glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        sheet = book.active
        for row in sheet.iter_rows(min_row=1):
            born, registered = row[3].value, row[6].value
            try:
                born_day = dt.datetime.strptime(str(born), "%d/%m/%Y")
                registered_day = dt.datetime.strptime(str(registered), "%d/%m/%Y")
            except ValueError:
                continue
            moved = registered_day - dt.timedelta(days=70)
            if (registered_day - born_day).days <= 60 and moved.year == born_day.year:
                row[3].value = f"{moved:%d/%m/%Y}"
                record = path.with_name(path.name + ".registry.json").read_text(encoding="utf-8")
                ward = record.split('"ward_code": "')[1].split('"')[0]
                out = home.source_inbox("birth_registration") / path.name.split("__", 1)[1].replace(
                    ".xlsx", "_sua.xlsx"
                )
                out.parent.mkdir(parents=True, exist_ok=True)
                book.save(out)
                return ward, out
    raise AssertionError("no on-time registration in March's files")


def _changes(content: bytes) -> set[tuple]:
    sheet = openpyxl.load_workbook(BytesIO(content))["PL0 Thay đổi"]
    return {tuple(row[1:4]) for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)}


def test_an_approved_report_stays_as_sent_and_a_correction_is_shown_against_it(report_home, tmp_path):
    home = Home(tmp_path / "home")
    shutil.copytree(report_home.root, home.root)
    wards = signoff.load_period(home.serving, PERIOD).wards
    for code in wards:
        signoff.approve(home, Viewer(f"cb-{code}", f"Cán bộ {code}", Role.WARD_OFFICER, code), PERIOD, code)
    approved = subprocess.run(
        [str(Path(sys.executable).with_name("treem")), "--home", str(home.root), "approve", PERIOD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert approved.returncode == 0, approved.stderr
    assert f"mã {PERIOD}.268.1" in approved.stdout
    district = ledger.in_force(home.root, PERIOD)["268"]
    folder = signoff.frozen_folder(home, district)
    frozen = {p.name: p.read_bytes() for p in folder.glob("*.xlsx")}
    assert len(frozen) == 16

    ward, sent = _correct_a_birth(home)
    use(home)
    summary = run_pipeline(home)
    assert summary.success, summary

    assert {p.name: p.read_bytes() for p in folder.glob("*.xlsx")} == frozen  # the same bytes
    receipt = next((home.archive / "birth_registration" / "2025-03").glob(f"*{sent.name}.receipt.txt"))
    text = receipt.read_text(encoding="utf-8")
    assert "LƯU Ý: số liệu của tệp thuộc kỳ báo cáo đã được phê duyệt" in text
    assert f"(mã {PERIOD}.{ward}.1)" in text and f"(mã {PERIOD}.268.1)" in text

    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from signoff.approvals").fetchone()[0] == 16
        # what changed, by the warehouse: the approved figures against today's, in SQL
        expected = {
            (w, i, measure)
            for w, i, measure in con.execute(
                """
                with pairs as (
                    select coalesce(d.ward_name, 'Toàn quận') as unit, c.name_vi as indicator,
                           a.numerator as a_num, f.numerator as f_num, a.denominator as a_den,
                           f.denominator as f_den, a.value as a_val, f.value as f_val
                    from signoff.approved_figures a
                    join marts.fct_ward_indicators f
                      on f.period_key = ? and f.org_unit_code = a.org_unit_code
                     and f.indicator_code = a.indicator_code
                    join marts.dim_indicator c on c.indicator_code = a.indicator_code
                    left join marts.dim_ward d on d.ward_code = a.org_unit_code and d.is_current
                    where a.approval_id = ? and a.edition = '268'
                )
                select unit, indicator, 'Tử số' from pairs where a_num is distinct from f_num
                union all
                select unit, indicator, 'Mẫu số' from pairs where a_den is distinct from f_den
                union all
                select unit, indicator, 'Tỷ lệ / số ca' from pairs where a_val is distinct from f_val
                """,
                [PERIOD, district.approval_id],
            ).fetchall()
        }
    finally:
        con.close()
    assert ("Toàn quận", "Tỷ lệ trẻ được đăng ký khai sinh đúng hạn", "Tử số") in expected
    current = home.reports / PERIOD
    assert _changes((current / report_file_name(PERIOD)).read_bytes()) == expected
    ward_file = current / report_file_name(PERIOD, ward, wards[ward])
    assert _changes(ward_file.read_bytes()) == {row for row in expected if row[0] == wards[ward]}
    approvals = [e for e in audit.entries(home.root) if e.action == audit.APPROVE_PERIOD]
    assert len(approvals) == 16 and approvals[0].role == "data_engineer"
