"""Writing one cell safely: text is always stored as text, never as a formula, whatever it begins with."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from access.exports import FORMULA_TRIGGERS

NUMBER_FORMATS = {
    "text": "@",
    "count": "#,##0",
    "percent": "0.0%",
    "decimal": "#,##0.0",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}


def put(cell: Cell, value: object, fmt: str | None = None) -> Cell:
    """Set ``cell`` to ``value``. A string is written as a string cell; one that begins like a formula
    also gets Excel's quote prefix (the apostrophe), so neither Excel nor LibreOffice evaluates it,
    even when someone edits the cell. Characters a workbook cannot hold are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value
    if fmt is not None:
        cell.number_format = NUMBER_FORMATS[fmt]
    return cell


def put_formula(cell: Cell, formula: str, fmt: str | None = None) -> Cell:
    """A formula the report itself builds from its own cell references (totals and ratios only)."""
    cell.value = "=" + formula
    if fmt is not None:
        cell.number_format = NUMBER_FORMATS[fmt]
    return cell
