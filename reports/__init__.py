"""The plan's periodic reports as Excel workbooks, built from the serving copy with openpyxl."""
