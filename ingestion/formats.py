"""The file formats the reader opens, by file name suffix (shared by the reader and the safety guard)."""

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
CSV_SUFFIXES = frozenset({".csv", ".txt"})
