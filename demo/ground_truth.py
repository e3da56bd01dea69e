"""The ground truth of a generated demo: what was written, what is good, what is bad and why."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from . import timing
from .messy import ROW_KINDS
from .workbook import Extract


def period_of(code: str) -> timing.Period:
    """The reporting period of a ground-truth period code: '2025-03' (a month or a vitamin A round),
    '2025-Q1' or '2025'."""
    year, _, rest = code.partition("-")
    if not rest:
        return timing.whole_year(int(year))
    if rest.startswith("Q"):
        return timing.quarter(int(year), int(rest[1:]))
    return timing.month(int(year), int(rest))


class GroundTruth:
    def __init__(self, seed: int, scale: float, messy: float, year: int) -> None:
        self.data: dict[str, Any] = {
            "seed": seed,
            "scale": scale,
            "messy": messy,
            "year": year,
            "generated_files": 0,
            "population": {},
            "sources": {},
        }
        self.doses_by_ward: Counter[str] = Counter()  # good dose rows
        self.rows_by_key: Counter[str] = Counter()  # good dose rows by the item and dose written
        # schedule doses by ward, month, item and dose: what the warehouse counts (indicator_truth)
        self.schedule_doses: dict[str, int] = {}

    def source(self, name: str) -> dict[str, Any]:
        return self.data["sources"].setdefault(
            name,
            {
                "files": 0,
                "files_bad": {"missing_column": [], "unreadable": []},
                "rows_written": 0,
                "rows_good": 0,
                "rows_bad": {kind: 0 for kind in ROW_KINDS},
                "files_list": [],
            },
        )

    def add(self, ex: Extract) -> None:
        entry = self.source(ex.source)
        written = 0 if ex.fault == "unreadable" else len(ex.rows)
        good = 0 if ex.fault else sum(1 for b in ex.bad if b is None)
        entry["files"] += 1
        entry["rows_written"] += written
        entry["rows_good"] += good
        file_bad: Counter[str] = Counter()
        if ex.fault:
            entry["files_bad"][ex.fault].append(ex.file_name)
        else:
            file_bad.update(kind for kind in ex.bad if kind)
            for kind, n in file_bad.items():
                entry["rows_bad"][kind] += n
        due = period_of(ex.period).due
        entry["files_list"].append(
            {
                "file": ex.file_name,
                "ward_code": ex.ward_code,
                "period": ex.period,
                "rows_written": written,
                "rows_good": good,
                "submitted_at": ex.submitted.isoformat(),
                # per file: its fault (quarantined as a whole) or its bad rows by kind (kinds > 0 only)
                "fault": ex.fault,
                "rows_bad": dict(sorted(file_bad.items())),
                # the deadline (5th of the month after the period) and days after it the file came
                "due": due.isoformat(),
                "days_late": max(0, (ex.submitted.date() - due).days),
            }
        )
        self.data["generated_files"] += 1
        if ex.source == "immunization" and not ex.fault:
            for row, kind in zip(ex.rows, ex.bad, strict=True):
                if kind is None:
                    self.doses_by_ward[row["_ward"]] += 1
                    self.rows_by_key[f"{row['_ward']}|{ex.period}|{row['_code']}|{row['dose']}"] += 1

    def finish(self, path: Path) -> dict[str, Any]:
        self.data["immunization"] = {
            "doses_by_ward": dict(sorted(self.doses_by_ward.items())),
            "rows_by_ward_month_vaccine_dose": dict(sorted(self.rows_by_key.items())),
            "doses_by_ward_month_vaccine_dose": dict(sorted(self.schedule_doses.items())),
        }
        for entry in self.data["sources"].values():
            for names in entry["files_bad"].values():
                names.sort()
            entry["files_list"].sort(key=lambda f: f["file"])
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.data, sort_keys=True, indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        return json.loads(text)
