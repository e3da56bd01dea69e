"""Blank templates (`treem template`, ingestion/template.py): for every contract, a template filled in
with valid rows is read back by parse_file exactly, with no reject, the right period and ward; so is
the same file after LibreOffice saved it as xlsx, ods and xls. Then what a clerk sees: drop-downs whose
every value the parser takes, formats, protection, the instruction sheet; and the command."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingestion.contract import Column, Contract, load_contracts
from ingestion.lookups import load_lookups
from ingestion.parse_file import Period, parse_file
from ingestion.template import GUIDE_SHEET, HEADER_ROW, LISTS_SHEET, dropdown_values, write_template
from ingestion.template_request import (
    TemplateError,
    grains,
    next_owed,
    parse_period,
    parse_ward,
    template_file_name,
    template_periods,
    wards_in_force,
)
from ingestion.text import fold
from tests.conftest import treem_cli
from tests.libreoffice import convert, soffice

WARD = "09541"  # Mộ Lao
PERIOD_TEXT = {"month": "2025-03", "quarter": "2025-Q1", "year": "2025"}
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Thu Dung"]
ROWS = 4
LIBREOFFICE_FORMATS = ["xlsx:Calc MS Excel 2007 XML", "ods", "xls:MS Excel 97"]

CASES = [(source, grain) for source, contract in load_contracts().items() for grain in grains(contract)]


def _ward_for(contract: Contract) -> str | None:
    return None if contract.ward_scope == "district" else WARD


def _example_code(column: Column, i: int) -> str:
    """A code the column's pattern accepts: its message's example with the last digit varied."""
    example = re.search(r"ví dụ ([A-Z0-9]+)", column.pattern_vi or "")
    code = example.group(1)[:-1] + str(i) if example else f"HS-2025-{i:03d}"
    assert column.pattern is None or column.pattern.match(code), code
    return code


def _cell(
    contract: Contract, column: Column, i: int, period: Period, ward: str | None
) -> tuple[object, object]:
    """(what the clerk writes in row i, what the parser must give) for a valid row."""
    wards = load_lookups()["ward"]
    birth = dt.date(period.start.year - 3, 1 + i, 10 + i)
    sex = "M" if i % 2 == 0 else "F"
    has_id_rule = any(r.rule == "id_matches" and r.column == column.name for r in contract.row_rules)
    position = [c.name for c in contract.columns].index(column.name)
    kind = column.type
    if kind == "personal_id":
        if not has_id_rule and not column.required:
            return None, None
        value = f"001{2 if sex == 'M' else 3}{birth.year % 100:02d}{12345 + i:06d}"
        return value, value
    if kind == "name":
        return NAMES[i % len(NAMES)], NAMES[i % len(NAMES)]
    if kind == "date":
        day = birth if column.name == "birth_date" else period.start + dt.timedelta(days=i + position)
        return dt.datetime(day.year, day.month, day.day), day
    if kind == "integer":
        if column.allowed:
            value = column.allowed[i % len(column.allowed)]
        else:
            value = (column.min if column.min is not None else 1) + i
            value = min(value, column.max) if column.max is not None else value
        return value, value
    if kind == "sex":
        return ("Nam" if sex == "M" else "Nữ"), sex
    if kind == "lookup" and column.lookup == "ward":
        code = ward or wards_in_force(period)[i][0]
        return wards.display_name(code), code
    if kind == "lookup":
        name = dropdown_values(column, period)[i]
        return name, load_lookups()[column.lookup].resolve(name)
    if kind in ("choice", "boolean"):
        shown = dropdown_values(column, period)
        typed = shown[i % len(shown)]
        return typed, column.choice_map[fold(typed)]
    if kind == "code_list":
        typed = f"{column.codes[0]}; {column.codes[i + 1]}"
        return typed, ";".join([column.codes[0], column.codes[i + 1]])
    if kind == "code":
        code = _example_code(column, i)
        return code, code
    return f"Tổ {i + 1} khu A", f"Tổ {i + 1} khu A"


def _fill(template: Path, filled: Path, contract: Contract, period: Period, ward: str | None) -> list[dict]:
    """Write ROWS valid rows into the template as a clerk would; returns the rows the parser must give."""
    wb = load_workbook(template)
    ws = wb[contract.sheets[0]]
    header = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    expected = []
    for i in range(ROWS):
        row = HEADER_ROW + 1 + i
        ws.cell(row, header["STT"], i + 1)
        want: dict[str, object] = {}
        for column in contract.columns:
            typed, want[column.name] = _cell(contract, column, i, period, ward)
            ws.cell(row, header[column.label_vi], typed)
        expected.append({**want, "source_row": row})
    wb.save(filled)
    return expected


def _check(path: Path, contract: Contract, period: Period, ward: str | None, expected: list[dict]) -> None:
    parsed = parse_file(path, contract)
    assert parsed.rejects == [] and parsed.rows_rejected == 0
    assert parsed.sheet == contract.sheets[0]  # neither the instructions nor the hidden lists
    assert parsed.rows == expected
    assert parsed.period == period
    assert parsed.ward_code == ward


@pytest.mark.parametrize(("source", "grain"), CASES)
def test_a_filled_template_is_read_back_exactly(source, grain, tmp_path):
    contract = load_contracts()[source]
    period = parse_period(contract, PERIOD_TEXT[grain])
    ward = _ward_for(contract)
    template = tmp_path / template_file_name(contract, ward, period)
    write_template(template, contract, period, ward)
    filled = tmp_path / "filled" / template.name
    filled.parent.mkdir()
    expected = _fill(template, filled, contract, period, ward)
    _check(filled, contract, period, ward, expected)


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_a_filled_template_saved_by_libreoffice_is_read_back_exactly(source, tmp_path):
    contract = load_contracts()[source]
    period = parse_period(contract, PERIOD_TEXT[grains(contract)[0]])
    ward = _ward_for(contract)
    template = tmp_path / template_file_name(contract, ward, period)
    write_template(template, contract, period, ward)
    filled = tmp_path / "filled" / template.name
    filled.parent.mkdir()
    expected = _fill(template, filled, contract, period, ward)
    for target in LIBREOFFICE_FORMATS:
        converted = convert(filled, target, tmp_path / target.split(":")[0])
        _check(converted, contract, period, ward, expected)


@pytest.mark.parametrize("source", [s for s, c in load_contracts().items() if c.ward_scope == "ward"])
def test_without_a_ward_the_clerk_picks_it_in_the_title(source, tmp_path):
    contract = load_contracts()[source]
    period = parse_period(contract, PERIOD_TEXT[grains(contract)[0]])
    template = tmp_path / template_file_name(contract, None, period)
    assert template.name == f"{source.replace('_', '-')}_{template.stem.split('_')[-1]}.xlsx"
    write_template(template, contract, period)
    wb = load_workbook(template)
    ws = wb[contract.sheets[0]]
    assert not ws["A2"].protection.locked  # the one open cell of the title block
    options = _list_values(wb, _validation_at(ws, "A2").formula1)
    assert len(options) == len(wards_in_force(period)) and "PHƯỜNG MỘ LAO" in " ".join(options)
    ws["A2"] = next(o for o in options if o.endswith("MỘ LAO"))  # chosen from the drop-down
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    expected = _fill(filled, filled, contract, period, WARD)
    _check(filled, contract, period, WARD, expected)


def test_a_nil_report_as_the_instructions_say(tmp_path):
    contract = load_contracts()["protection_cases"]
    period = parse_period(contract, "2025-03")
    path = tmp_path / "t.xlsx"
    write_template(path, contract, period, WARD)
    wb = load_workbook(path)
    ws = wb[contract.sheets[0]]
    ws.cell(HEADER_ROW + 1, 1, "Tổng cộng")  # in the STT cell under the header, 0 beside it
    ws.cell(HEADER_ROW + 1, 2, "0")  # typed into a text cell
    wb.save(path)
    parsed = parse_file(path, contract)
    assert parsed.nil_report and parsed.rows_loaded == 0 and parsed.ward_code == WARD


def _validation_at(ws, cell: str):
    return next(v for v in ws.data_validations.dataValidation if cell in v.sqref)


def _list_values(wb, formula: str) -> list[str]:
    """The values of a list validation: inline, or the range behind its defined name."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = wb.defined_names[formula].attr_text.split("!")
    assert sheet.strip("'") == LISTS_SHEET
    return [c.value for row in wb[LISTS_SHEET][ref.replace("$", "")] for c in row]


@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_what_the_clerk_sees(source, tmp_path):
    contract = load_contracts()[source]
    period = parse_period(contract, PERIOD_TEXT[grains(contract)[0]])
    path = tmp_path / "t.xlsx"
    write_template(path, contract, period, _ward_for(contract))
    wb = load_workbook(path)
    ws = wb[contract.sheets[0]]
    assert wb.sheetnames[:2] == [contract.sheets[0], GUIDE_SHEET] and wb.active.title == contract.sheets[0]
    header = [ws.cell(HEADER_ROW, c).value for c in range(1, ws.max_column + 1)]
    assert header == ["STT", *(c.label_vi for c in contract.columns)]  # exactly the contract's labels
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.protection.sheet and not ws.protection.password
    first = HEADER_ROW + 1
    for index, column in enumerate(contract.columns, start=2):
        head, data = ws.cell(HEADER_ROW, index), ws.cell(first, index)
        assert head.protection.locked and not data.protection.locked
        assert (head.font.color is not None and head.font.color.rgb.endswith("C00000")) == column.required
        assert ("Bắt buộc" in head.comment.text) == column.required
        assert ws.column_dimensions[head.column_letter].width >= min(len(column.label_vi), 27)
        expected_format = {"date": "dd/mm/yyyy", "integer": ("0", "#,##0")}.get(column.type, "@")
        assert data.number_format in expected_format
        values = dropdown_values(column, period)
        if not values:
            continue
        validation = _validation_at(ws, f"{head.column_letter}{first}")
        listed = _list_values(wb, validation.formula1)
        assert listed == values
        if sum(len(v) + 1 for v in values) > 256:
            assert not validation.formula1.startswith('"')  # a range on the hidden lists sheet
        _assert_parser_takes(column, listed)
    if LISTS_SHEET in wb.sheetnames:
        assert wb[LISTS_SHEET].sheet_state == "hidden"
    guide = [str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value is not None]
    assert all(c.label_vi in guide for c in contract.columns)


def _assert_parser_takes(column: Column, values: list[str]) -> None:
    from ingestion import parse_file as parser

    for value in values:
        parser._parse_cell(column, value, load_lookups())  # raises BadValue for a value it would reject


def test_the_vaccine_list_is_the_product_names_and_longer_lists_sit_on_the_hidden_sheet(tmp_path):
    contract = load_contracts()["immunization"]
    period = parse_period(contract, "2025-03")
    column = contract.column("vaccine_code")
    names = dropdown_values(column, period)
    vaccines = load_lookups()["vaccine"]
    if vaccines.names:
        assert set(names) <= set(vaccines.names.values())
    path = tmp_path / "t.xlsx"
    write_template(path, contract, period, WARD)
    wb = load_workbook(path)
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    ws = wb[contract.sheets[0]]
    letter = ws.cell(HEADER_ROW, 2 + [c.name for c in contract.columns].index("vaccine_code")).column_letter
    assert _list_values(wb, _validation_at(ws, f"{letter}{HEADER_ROW + 1}").formula1) == names


def test_title_block_and_instructions(tmp_path):
    contract = load_contracts()["immunization"]
    period = parse_period(contract, "2025-03")
    path = tmp_path / "t.xlsx"
    write_template(path, contract, period, WARD)
    wb = load_workbook(path)
    title = [c.value for row in wb["TCMR"].iter_rows(max_row=HEADER_ROW - 1) for c in row if c.value]
    assert "TRẠM Y TẾ PHƯỜNG MỘ LAO" in title and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in title
    assert "TIÊM CHỦNG MỞ RỘNG" in title and "Tháng 03 năm 2025" in title
    guide = " ".join(str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "05/04/2025" in guide  # the deadline of March in the extract calendar
    hcdb = load_contracts()["hcdb_support"]
    write_template(path, hcdb, parse_period(hcdb, "2025-03"), WARD)
    title = [c.value for row in load_workbook(path)["HoTro"].iter_rows(max_row=5) for c in row if c.value]
    assert "UBND PHƯỜNG MỘ LAO" in title
    bhyt = load_contracts()["health_insurance"]
    write_template(path, bhyt, parse_period(bhyt, "2025-03"))
    title = [c.value for row in load_workbook(path)["BHYT"].iter_rows(max_row=5) for c in row if c.value]
    assert title[0].startswith("BẢO HIỂM XÃ HỘI QUẬN")


def test_periods_and_wards_are_checked():
    immunization, register = load_contracts()["immunization"], load_contracts()["child_register"]
    assert (
        parse_period(register, "Q1-2025").key == "2025-Q1"
        and parse_period(register, "03/2025").key == "2025-03"
    )
    with pytest.raises(TemplateError, match="cần tháng"):
        parse_period(immunization, "2025-Q1")
    with pytest.raises(TemplateError):
        parse_period(immunization, "2025-13")
    vitamin_a = load_contracts()["vitamin_a"]
    assert parse_period(vitamin_a, None, dt.date(2025, 2, 10)).key == "2025-06"  # the next round
    assert parse_period(immunization, None, dt.date(2025, 2, 10)).key == "2025-02"
    assert {p.end.month for p in template_periods(vitamin_a, dt.date(2025, 8, 1))} == {6, 12}
    march = parse_period(immunization, "2025-03")
    assert parse_ward(immunization, "Mộ Lao", march) == WARD
    with pytest.raises(TemplateError, match="Không có phường"):
        parse_ward(immunization, "Atlantis", march)
    with pytest.raises(TemplateError, match="sáp nhập"):
        parse_ward(immunization, "09538", march)  # Nguyễn Trãi, merged into Quang Trung in 2025
    assert parse_ward(immunization, "09538", parse_period(immunization, "2024-03")) == "09538"
    with pytest.raises(TemplateError, match="toàn quận"):
        parse_ward(load_contracts()["health_insurance"], WARD, march)


def test_the_command(pointed_env, tmp_path, capsys):
    home = tmp_path / "home"
    assert treem_cli(pointed_env, "--home", str(home), "template", "tiem_chung") == 2
    assert "Không có nguồn dữ liệu 'tiem_chung'" in capsys.readouterr().err
    assert treem_cli(pointed_env, "--home", str(home), "template", "immunization", "--ward", "Atlantis") == 2
    assert "Không có phường 'Atlantis'" in capsys.readouterr().err
    assert treem_cli(pointed_env, "--home", str(home), "template", "immunization", "--period", "2025") == 2
    assert "không dùng được cho nguồn immunization" in capsys.readouterr().err
    args = ("--home", str(home), "template", "immunization", "--ward", WARD, "--period", "2025-03")
    assert treem_cli(pointed_env, *args) == 0
    written = home / "templates" / "immunization_MoLao_T03-2025.xlsx"
    assert capsys.readouterr().out.strip().endswith(str(written)) and written.exists()
    assert treem_cli(pointed_env, "--home", str(home), "template", "child_register") == 0
    printed = Path(capsys.readouterr().out.strip().split(": ")[-1])
    assert printed.parent == home / "templates" and printed.exists()  # the current quarter, no ward
    out = tmp_path / "elsewhere" / "mau.xlsx"
    out.parent.mkdir()
    assert treem_cli(pointed_env, "--home", str(home), "template", "injuries", "--out", str(out)) == 0
    assert out.exists()
    assert treem_cli(pointed_env, "--home", str(home), "template", "injuries", "--out", str(out)) == 2
    assert "--force" in capsys.readouterr().err
    inside = home / "mau.xlsx"
    assert treem_cli(pointed_env, "--home", str(home), "template", "injuries", "--out", str(inside)) == 2
    assert "chỉ do treem ghi" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("source", "today", "period", "due"),
    [
        ("immunization", dt.date(2025, 6, 3), "2025-05", dt.date(2025, 6, 5)),  # May's is due first
        ("immunization", dt.date(2025, 6, 6), "2025-06", dt.date(2025, 7, 5)),  # May's deadline passed
        ("child_register", dt.date(2025, 7, 2), "2025-Q2", dt.date(2025, 7, 5)),
        ("vitamin_a", dt.date(2025, 7, 3), "2025-06", dt.date(2025, 7, 5)),  # the June round
        ("vitamin_a", dt.date(2025, 7, 6), "2025-12", dt.date(2026, 1, 5)),
        ("child_friendly", dt.date(2026, 1, 3), "2025", dt.date(2026, 1, 5)),
    ],
)
def test_the_next_period_owed_is_the_earliest_still_open(source, today, period, due):
    contract = load_contracts()[source]
    found, day = next_owed(contract, today, set())
    assert (found.key, day) == (period, due)


def test_a_period_already_received_is_not_the_next_one_owed():
    contract = load_contracts()["immunization"]
    found, day = next_owed(contract, dt.date(2025, 6, 3), {"2025-05"})
    assert (found.key, day) == ("2025-06", dt.date(2025, 7, 5))
