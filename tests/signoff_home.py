"""A home for the sign-off tests: the fixture home's serving copy given the figures of one report period
(its March figures under the key of the 6-month report), and a correction of one ward's figures."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from base.home import Home

PERIOD = "2025-BCT-6T"
WARD = "09541"  # Mộ Lao
INDICATOR = "bhyt_under6_coverage"
CORRECTION_FILE_ID = "c0ffee0123456789"


def period_home(fixture_home: Home, root: Path) -> Home:
    home = Home(root)
    home.root.mkdir(parents=True)
    shutil.copy(fixture_home.serving, home.serving)
    con = duckdb.connect(str(home.serving))
    con.execute(
        "insert into fct_ward_indicators select * replace (? as period_key) from fct_ward_indicators "
        "where period_key = '2025-03'",
        [PERIOD],
    )
    con.close()
    return home


def correct(home: Home, received: dt.datetime) -> tuple[float, float]:
    """A correction of Mộ Lao's figures: BHYT cards up by 7 (the ward, and so the district), its March
    immunisation file replaced by a correction (CORRECTION_FILE_ID) sent at ``received``; returns Mộ
    Lao's numerator before and after."""
    con = duckdb.connect(str(home.serving))
    before = con.execute(
        "select numerator from fct_ward_indicators where period_key = ? and org_unit_code = ? and "
        "indicator_code = ?",
        [PERIOD, WARD, INDICATOR],
    ).fetchone()[0]
    con.execute(
        "update fct_ward_indicators set numerator = numerator + 7, value = (numerator + 7) / denominator "
        "where period_key = ? and org_unit_code in (?, '268') and indicator_code = ?",
        [PERIOD, WARD, INDICATOR],
    )
    con.execute(
        "update fct_report_submissions set corrected_at = ?, current_file_id = ?, superseded = true "
        "where org_unit_code = ? and source = 'immunization' and period_key = '2025-03'",
        [received, CORRECTION_FILE_ID, WARD],
    )
    con.close()
    return before, before + 7
