"""Writing one cell safely: text is always stored as text, never as a formula, whatever it begins with."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from access.exports import FORMULA_TRIGGERS

# [$-42A]: the format's language is Vietnamese, so LibreOffice shows 1.234 and 90,6% whatever the
# computer's locale (Excel keeps its own separators and ignores the tag for numbers)
VI = "[$-42A]"
# "_)": a blank the width of ")" after every right-aligned figure, and (the fourth section) after a
# word or mark written in a figure's column ("<5", "Cần kiểm tra"), so 100,0% never touches the text of
# the cell to its right. The padding is in the format, not an indent: LibreOffice ignores the indent of
# right-aligned figures on some rows and not others.
PAD = "_)"


def _padded(figure: str) -> str:
    """positive;negative;zero;text, each in Vietnamese and padded on the right."""
    return ";".join([f"{VI}{figure}{PAD}", f"{VI}-{figure}{PAD}", f"{VI}{figure}{PAD}", f"@{PAD}"])


NUMBER_FORMATS = {
    "text": "@",
    "count": _padded("#,##0"),
    "percent": _padded("0.0%"),
    "decimal": _padded("#,##0.0"),
    "date": f"dd/mm/yyyy{PAD}",
    "datetime": f"dd/mm/yyyy hh:mm{PAD}",
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
