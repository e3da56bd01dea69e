"""The one way data leaves treem as a file a spreadsheet program opens: text never runs as a formula.

A spreadsheet takes a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (OWASP, "CSV Injection"). An office's file name, a child's name or a reason typed by a clerk can
begin that way. In a CSV such text gets a leading apostrophe, as OWASP recommends, and every text field
is quoted, so that a separator inside it (a comma, or the semicolon of a locale that splits on it)
cannot start a new cell. The report workbooks mark such text as text (``reports.cells.put``).
"""

from __future__ import annotations

import csv

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """``value``, with an apostrophe before a text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a CSV file Excel opens in Vietnamese (UTF-8 with BOM), its text neutralised: column
    names too."""
    safe = frame.rename(columns=lambda c: neutralised(str(c)))
    text_columns = [
        c for c in safe.columns if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c])
    ]
    for column in text_columns:
        safe[column] = safe[column].map(neutralised)
    return safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")
