"""A hand-made district for the report tests: three wards, a four-month report period, nothing in any
table unless a test puts it there."""

from __future__ import annotations

import datetime as dt

from reports.data import ReportData, ReportPeriod, Ward

WARDS = [Ward("1", "A"), Ward("2", "B"), Ward("3", "C")]


def report_data(ward: Ward | None = None, **tables) -> ReportData:
    """The district's edition (or ``ward``'s), with ``tables`` (indicators, catalogue, protection…)
    given by the test and every other one empty."""
    empty = {
        "indicators": [],
        "catalogue": [],
        "vaccines": [],
        "doses": {},
        "hcdb_groups": [],
        "hcdb": {},
        "abuse_types": [{"code": "physical", "name_vi": "Thể chất"}],
        "injury_causes": [{"code": "fall", "name_vi": "Ngã"}],
        "protection": {},
        "injuries": {},
        "submissions": [],
    }
    return ReportData(
        period=ReportPeriod(
            "R", "Báo cáo thử", dt.date(2025, 1, 1), dt.date(2025, 4, 30), dt.date(2025, 5, 12), "x"
        ),
        ward=ward,
        wards=[ward] if ward else WARDS,
        district_name="Thử",
        data_as_of=None,
        **{**empty, **tables},
    )
