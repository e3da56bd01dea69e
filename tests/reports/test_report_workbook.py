"""The report workbook of a small demo year, opened with openpyxl and checked cell by cell against the
serving copy's marts: ward rows, the district total row, small-count suppression, the ward edition,
the crafted file name, the layout and print setup; LibreOffice recalculates it and prints it to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess

import duckdb
import pytest
from openpyxl import load_workbook

from policy.status import indicator_status
from reports.build import build_report
from reports.cells import NUMBER_FORMATS
from reports.sheet import one_line_width
from tests.conftest import CRAFTED_NAME, PERIOD, WARD
from tests.disclosure import value_range
from tests.libreoffice import convert
from tests.reports.conftest import needs_libreoffice

pytestmark = pytest.mark.slow

HIDDEN = ("<5", "x")
OUR_FORMULA = re.compile(r'^=(SUM\(([A-Z]+)(\d+):\2(\d+)\)|IF\(N\([A-Z]+\d+\)=0,"",[A-Z]+\d+/[A-Z]+\d+\))$')


@pytest.fixture(scope="module")
def editions(report_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    district = build_report(report_home.serving, PERIOD, out / "district.xlsx")
    ward = build_report(report_home.serving, PERIOD, out / "ward.xlsx", WARD)
    return district, ward


def _serving(home, sql, *params):
    con = duckdb.connect(str(home.serving), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _mart(home) -> dict:
    rows = _serving(
        home,
        "select org_unit_name, indicator_code, numerator, denominator, value, target, meets_target, baseline "
        "from fct_ward_indicators where period_key = ?",
        PERIOD,
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def _catalogue(home) -> list[tuple[str, bool]]:
    return _serving(home, "select indicator_code, is_percent from dim_indicator order by rowid")


def _rows_by_name(ws) -> dict[str, int]:
    """Row number of each name in column B below the two header rows (9 and 10)."""
    return {ws.cell(r, 2).value: r for r in range(11, ws.max_row + 1) if isinstance(ws.cell(r, 2).value, str)}


def _wards(home) -> list[str]:
    return [
        r[0] for r in _serving(home, "select ward_name from dim_ward where is_current order by ward_code")
    ]


def test_sheets_and_the_administrative_heading(editions, report_home):
    wb = load_workbook(editions[0])
    assert wb.sheetnames == [
        "PL1 Bộ chỉ tiêu",
        "PL2 Tiêm chủng, vitamin A",
        "PL3 Khai sinh, BHYT",
        "PL4 Trẻ HCĐB",
        "PL5 Bảo vệ trẻ em, TNTT",
        "PL6 Gửi số liệu",
        "PL6b Chi tiết gửi số liệu",
        "Ghi chú",
    ]
    ws = wb["PL1 Bộ chỉ tiêu"]
    texts = [c.value for row in ws.iter_rows(min_row=1, max_row=7) for c in row if c.value]
    assert texts[:2] == ["UBND QUẬN HÀ ĐÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
    assert "Hà Đông, ngày ..... tháng ..... năm 2025" in texts
    assert "PHỤ LỤC 1. BỘ CHỈ TIÊU CÔNG TÁC TRẺ EM THEO PHƯỜNG" in texts
    assert "(Kèm theo báo cáo Bộ chỉ tiêu trẻ em 6 tháng năm 2025)" in texts
    period_line = next(t for t in texts if t.startswith("Phạm vi"))
    assert "từ 01/01/2025 đến 30/04/2025" in period_line and "Hạn gửi báo cáo: 12/05/2025" in period_line
    (as_of,) = _serving(report_home, "select data_as_of from serving_meta")[0]
    assert f"Số liệu tính đến: {as_of:%d/%m/%Y %H:%M}" in period_line
    signatures = [c.value for row in ws.iter_rows(min_row=27) for c in row if c.value]
    assert "NGƯỜI LẬP BIỂU" in signatures and "TRƯỞNG PHÒNG" in signatures


def test_indicator_table_ward_rows_equal_the_mart(editions, report_home):
    ws = load_workbook(editions[0])["PL1 Bộ chỉ tiêu"]
    mart, rows = _mart(report_home), _rows_by_name(ws)
    mart_status = {  # the dashboard's judgement (policy.status) of the same rows
        (name, code): indicator_status(value, target, comparison, direction)
        for name, code, value, target, comparison, direction in _serving(
            report_home,
            "select f.org_unit_name, f.indicator_code, f.value, f.target, i.target_comparison, i.direction "
            "from fct_ward_indicators f join dim_indicator i using (indicator_code) where f.period_key = ?",
            PERIOD,
        )
    }
    assert list(rows)[:15] == _wards(report_home)
    for ward in _wards(report_home):
        r = rows[ward]
        for n, (code, _is_percent) in enumerate(_catalogue(report_home)):
            c = 3 + 5 * n
            num, den, value, target, met, baseline = mart[(ward, code)]
            shown = [ws.cell(r, c + i).value for i in range(5)]
            if code in ("abuse_timely_intervention", "injury_deaths"):
                continue  # checked with the suppression
            if (num or 0) < 0 or (value or 0) < 0:  # a data question, never printed as a figure
                assert (shown[0], shown[2], shown[4]) == ("–", "–", "Cần kiểm tra"), (ward, code)
                continue
            assert shown[0] == num and shown[1] == den, (ward, code)
            assert shown[2] == (pytest.approx(value) if value is not None else None), (ward, code)
            assert shown[3] == (pytest.approx(target) if target is not None else None), (ward, code)
            assert shown[4] == mart_status[(ward, code)], (ward, code)


def test_total_row_sums_the_ward_rows_with_formulas_and_the_mart_agrees(editions, report_home):
    ws = load_workbook(editions[0])["PL1 Bộ chỉ tiêu"]
    mart, rows = _mart(report_home), _rows_by_name(ws)
    total = rows["Toàn quận Hà Đông"]
    first, last = rows[_wards(report_home)[0]], rows[_wards(report_home)[-1]]
    assert (first, last, total) == (11, 25, 26)
    for n, (code, _is_percent) in enumerate(_catalogue(report_home)):
        if code in ("abuse_timely_intervention", "injury_deaths", "dtp_dropout"):
            continue  # dtp_dropout: wards' negative numerators are not printed, so the total is a value
        c = 3 + 5 * n
        num, den = ws.cell(total, c).coordinate[:-2], ws.cell(total, c + 1).coordinate[:-2]
        assert ws.cell(total, c).value == f"=SUM({num}11:{num}25)"
        assert ws.cell(total, c + 1).value == f"=SUM({den}11:{den}25)"
        assert ws.cell(total, c + 2).value == f'=IF(N({den}26)=0,"",{num}26/{den}26)'
        # the mart's district row is the sum of its wards' numerators over the sum of their denominators
        d_num, d_den, d_value = mart[("Quận Hà Đông", code)][:3]
        assert d_num == sum(mart[(w, code)][0] for w in _wards(report_home))
        assert d_den == sum(mart[(w, code)][1] for w in _wards(report_home))
        assert d_value == (pytest.approx(d_num / d_den) if d_den else None)


@needs_libreoffice
def test_libreoffice_computes_the_total_row_to_the_marts_district_figures(editions, report_home, tmp_path):
    recalculated = convert(editions[0], "xlsx:Calc MS Excel 2007 XML", tmp_path)
    ws = load_workbook(recalculated, data_only=True)["PL1 Bộ chỉ tiêu"]
    mart = _mart(report_home)
    for n, (code, _) in enumerate(_catalogue(report_home)):
        num, den, value = mart[("Quận Hà Đông", code)][:3]
        c = 3 + 5 * n
        if code == "injury_deaths":
            assert ws.cell(26, c).value == num and ws.cell(26, c + 2).value == num
            continue
        assert (ws.cell(26, c).value, ws.cell(26, c + 1).value) == (num, den), code
        assert ws.cell(26, c + 2).value == (pytest.approx(value) if value is not None else None), code


def _pl5_truth(home) -> dict:
    """PL5's true figures per ward name and for the district's injury causes, from the serving copy."""
    window = ("2025-01-01", "2025-04-30")
    per_ward = _serving(
        home,
        """
        with w as (select ward_code, ward_name from dim_ward where is_current),
        p as (select ward_code, sum(cases)::int as cases, sum(cases_timely)::int as timely
              from agg_protection_ward_months where month_start between ? and ? group by all),
        i as (select ward_code, sum(events)::int as events, sum(deaths)::int as deaths
              from agg_injury_ward_months where month_start between ? and ? group by all),
        b as (select org_unit_code as ward_code, baseline::int as deaths_2024 from fct_ward_indicators
              where period_key = ? and indicator_code = 'injury_deaths')
        select w.ward_name, coalesce(p.cases, 0), coalesce(p.timely, 0), coalesce(i.events, 0),
               coalesce(i.deaths, 0), b.deaths_2024
        from w left join p using (ward_code) left join i using (ward_code) left join b using (ward_code)
        """,
        *window,
        *window,
        PERIOD,
    )
    keys = ("cases", "timely", "events", "deaths", "deaths_2024")
    causes = _serving(
        home,
        "select c.name_vi, coalesce(sum(a.events), 0)::int from protection_categories c left join "
        "agg_injury_ward_months a on a.cause = c.code and a.month_start between ? and ? "
        "where c.category = 'injury_cause' group by all",
        *window,
    )
    return {"wards": {r[0]: dict(zip(keys, r[1:], strict=True)) for r in per_ward}, "causes": dict(causes)}


def test_small_counts_are_hidden_and_none_can_be_recovered(editions, report_home):
    """Every small count of PL5 is hidden and every shown count is true; linear programming over what
    the sheet shows (sums, "<5" = 0-4, "x" = 5 or more) leaves each hidden small count more than one
    possible value, even for a ward that knows its own hidden count in the column."""
    ws = load_workbook(editions[0])["PL5 Bảo vệ trẻ em, TNTT"]
    truth, wards, rows = _pl5_truth(report_home), _wards(report_home), _rows_by_name(ws)
    columns = {ws.cell(10, c).value: c for c in range(3, 9)}
    keys = {
        "Số vụ": "cases",
        "Được can thiệp kịp thời": "timely",
        "Số trường hợp": "events",
        "Tử vong": "deaths",
        "Tử vong cùng kỳ năm 2024": "deaths_2024",
    }
    shown = {(w, k): ws.cell(rows[w], columns[h]).value for w in wards for h, k in keys.items()}
    totals = {k: ws.cell(26, columns[h]).value for h, k in keys.items()}
    causes = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(28, ws.max_row + 1)}
    causes = {name: cell for name, cell in causes.items() if name in truth["causes"]}
    assert len(causes) == 6
    hidden_small = 0
    for (w, k), cell in shown.items():
        true = truth["wards"][w][k] or 0
        assert cell == "<5" if 0 < true < 5 else cell in (true, "<5" if true == 0 else "x"), (w, k, cell)
        hidden_small += 0 < true < 5
    assert hidden_small > 0
    variables, equations = [], []

    def unknown(cell: object, name: tuple) -> tuple | None:
        if isinstance(cell, str):
            variables.append((*name, cell))
            return variables[-1]
        return None

    for k in keys.values():  # each column of wards adds up to its total
        if isinstance(totals[k], str) and totals[k].startswith("="):
            assert not any(isinstance(shown[(w, k)], str) for w in wards), k  # a sum only of shown cells
            continue
        coefs, constant = {}, 0
        for w in wards:
            v = unknown(shown[(w, k)], (w, k))
            if v:
                coefs[v] = 1
            else:
                constant -= shown[(w, k)] or 0
        t = unknown(totals[k], ("total", k))
        if t:
            coefs[t] = -1
        else:
            constant += totals[k]
        equations.append((coefs, constant))
    coefs, constant = {}, 0  # the injury causes add up to the events
    for name, cell in causes.items():
        v = unknown(cell, ("cause", name))
        if v:
            coefs[v] = 1
        else:
            constant -= cell
    events_total = [v for v in variables if v[:2] == ("total", "events")]
    if events_total:
        coefs[events_total[0]] = -1
    else:
        constant += sum(truth["wards"][w]["events"] for w in wards)
    equations.append((coefs, constant))
    small = [v for v in variables if v[0] in truth["wards"] and 0 < (truth["wards"][v[0]][v[1]] or 0) < 5]
    assert small
    for target in small:
        low, high = value_range(variables, equations, {}, target)
        assert high - low >= 1, (target, low, high)
        for insider in [v for v in variables if v[1] == target[1] and v != target and v[0] in truth["wards"]]:
            true = truth["wards"][insider[0]][insider[1]] or 0
            low, high = value_range(variables, equations, {insider: (true, true)}, target)
            assert high - low >= 1, (target, "known:", insider, low, high)


def test_the_ward_edition_holds_only_that_wards_data_unsuppressed(editions, report_home):
    wb = load_workbook(editions[1])
    others = [w for w in _wards(report_home) if w != "Mộ Lao"]
    mart = _mart(report_home)
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if any(w in t for w in others)]
    assert "<5" not in texts and "x" not in texts and "Toàn quận Hà Đông" not in texts
    assert "UBND PHƯỜNG MỘ LAO" in texts and "TM. ỦY BAN NHÂN DÂN" in texts
    ws = wb["PL1 Bộ chỉ tiêu"]
    assert _rows_by_name(ws) == {"Mộ Lao": 11}
    for n, (code, _) in enumerate(_catalogue(report_home)):
        num, den, value, target, met, baseline = mart[("Mộ Lao", code)]
        assert ws.cell(11, 3 + 5 * n).value == num, code
        assert ws.cell(11, 4 + 5 * n).value == (baseline if code == "injury_deaths" else den), code
    truth = _pl5_truth(report_home)["wards"]["Mộ Lao"]
    pl5 = wb["PL5 Bảo vệ trẻ em, TNTT"]
    headers = {pl5.cell(10, c).value: c for c in range(1, pl5.max_column + 1)}
    assert pl5.cell(11, headers["Số trường hợp"]).value == truth["events"]
    assert pl5.cell(11, headers["Tử vong"]).value == truth["deaths"]


def _formulas(wb) -> list[str]:
    return [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_a_crafted_file_name_comes_out_as_text_and_the_only_formulas_are_the_reports(editions):
    for path in editions:
        wb = load_workbook(path)
        ws = wb["PL6b Chi tiết gửi số liệu"]
        cells = [c for row in ws.iter_rows() for c in row if c.value == CRAFTED_NAME]
        assert len(cells) == 1
        assert (cells[0].data_type, cells[0].quotePrefix) == ("s", True)
        row = cells[0].row
        assert ws.cell(row, 2).value == "Mộ Lao" and ws.cell(row, 4).value == "Tháng 3/2025"
        assert isinstance(ws.cell(row, 9).value, str) and ws.cell(row, 9).value  # the reason, for the clerk
    district, ward = (load_workbook(p) for p in editions)
    assert _formulas(district) and all(OUR_FORMULA.match(f) for f in _formulas(district))
    assert _formulas(ward) == []  # a ward's edition has no total row, so no formula at all


def test_formats_frozen_headers_and_print_setup(editions):
    wb = load_workbook(editions[0])
    for ws in wb:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, ws.title
        # fitted to the page width; a sheet with a manual page break at a zoom instead (Excel and
        # LibreOffice ignore manual breaks on a sheet fitted to pages)
        manual = bool(ws.col_breaks.brk or ws.row_breaks.brk)
        assert bool(ws.sheet_properties.pageSetUpPr.fitToPage) != manual, ws.title
        if manual:
            assert 10 <= ws.page_setup.scale <= 100, ws.title
        else:
            assert int(ws.page_setup.fitToWidth) == 1, ws.title
        # header rows repeat on every printed page, unless a second table (with its own header) follows
        two_tables = ws.title in ("PL4 Trẻ HCĐB", "PL5 Bảo vệ trẻ em, TNTT")
        assert ws.print_title_rows == (None if two_tables else "$9:$10"), ws.title
        assert ws.freeze_panes == "C11", ws.title
    pl1 = wb["PL1 Bộ chỉ tiêu"]
    assert pl1.print_title_cols == "$A:$B" and not pl1.sheet_properties.pageSetUpPr.fitToPage
    assert [b.id for b in pl1.col_breaks.brk] == [17, 32, 47]  # three indicators a page
    assert (
        pl1["C11"].number_format == NUMBER_FORMATS["count"]
        and pl1["E11"].number_format == NUMBER_FORMATS["percent"]
    )
    assert NUMBER_FORMATS["count"].startswith("[$-42A]#,##0_)")  # 1.234, padded on the right
    name = wb["PL3 Khai sinh, BHYT"].column_dimensions["B"].width  # the bold total row's name on one line
    assert name >= max(16, one_line_width("Toàn quận Hà Đông", bold=True))


@needs_libreoffice
def test_libreoffice_prints_the_workbook_to_pdf(editions, tmp_path):
    for path in editions:
        pdf = convert(path, "pdf", tmp_path)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
        # PL1 four pages wide, PL2 two, then one or more for each other sheet
        assert pages >= 12, pages
        if shutil.which("pdftotext") is None:
            continue
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        footers = [page.strip().splitlines()[-1] for page in text.split("\f")[:-1]]
        # the footer names the sheet: exactly four pages of PL1 and two of PL2, whatever the rows
        assert sum("PL1 Bộ chỉ tiêu" in f for f in footers) == 4, footers
        assert sum("PL2 Tiêm chủng" in f for f in footers) == 2, footers
        for page in text.split("\f")[:-1]:  # the signature block is never cut across two pages
            assert ("NGƯỜI LẬP BIỂU" in page) == ("(Ký, ghi rõ họ tên)" in page), page[-300:]


def test_the_pipeline_run_wrote_every_report_period_for_the_district_and_each_ward(report_home):
    periods = [
        r[0] for r in _serving(report_home, "select period_key from dim_period where period_type = 'report'")
    ]
    assert sorted(p.name for p in report_home.reports.iterdir()) == sorted(periods)
    files = sorted(p.name for p in (report_home.reports / PERIOD).iterdir())
    assert ".inputs.json" in files  # what each workbook was built from: the next run skips the unchanged
    assert ".lock" in files  # one writer at a time in the folder
    files.remove(".inputs.json")
    files.remove(".lock")
    assert (
        len(files) == 16
        and f"{PERIOD}_268-toan-quan.xlsx" in files
        and f"{PERIOD}_09541-mo-lao.xlsx" in files
    )
    assert not list(report_home.reports.rglob("*.tmp"))
    ws = load_workbook(report_home.reports / PERIOD / f"{PERIOD}_09541-mo-lao.xlsx")["PL1 Bộ chỉ tiêu"]
    assert _rows_by_name(ws) == {"Mộ Lao": 11}
