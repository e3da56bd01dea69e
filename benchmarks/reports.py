"""Benchmark: build the report workbooks of an existing home and print seconds per stage.

    .venv/bin/python -m benchmarks.reports --home /path/to/home [--period 2025-BCT-N] [--repeat 3]

For each report period the data covers (or the one given): reading the district edition's figures
from the serving copy, laying out its workbook, and saving it; then the same for one ward's edition;
then ``build_all`` for every period and edition, as the Dagster asset runs it. Medians of --repeat
runs. Results are recorded by hand in docs/benchmarks.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from base.home import Home
from reports.build import build_all, build_workbook
from reports.data import current_wards, load_report_data, report_periods


def _median_seconds(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_edition(serving: Path, period: str, ward: str | None, repeat: int) -> dict[str, float]:
    read, data = _median_seconds(lambda: load_report_data(serving, period, ward), repeat)
    layout, workbook = _median_seconds(lambda: build_workbook(data), repeat)
    save, _ = _median_seconds(lambda: workbook.save(BytesIO()), repeat)
    cells = sum(ws.max_row * ws.max_column for ws in workbook)
    return {"read": read, "layout": layout, "save": save, "cells": cells}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="a home whose serving copy is published")
    parser.add_argument("--period", help="one report period (default: every period the data covers)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    serving = Home(Path(args.home).resolve()).serving
    covered = [p["period_key"] for p in report_periods(serving) if p["has_data"]]
    periods = [args.period] if args.period else covered
    ward = current_wards(serving)[0].code
    print(f"{'kỳ':<14}{'bản':<8}{'đọc':>8}{'dàn trang':>11}{'ghi tệp':>9}{'ô':>9}{'ô/giây':>10}")
    for period in periods:
        for label, code in (("quận", None), (ward, ward)):
            r = bench_edition(serving, period, code, args.repeat)
            total = r["read"] + r["layout"] + r["save"]
            print(
                f"{period:<14}{label:<8}{r['read']:7.2f}s{r['layout']:10.2f}s{r['save']:8.2f}s"
                f"{r['cells']:9,}{r['cells'] / total:10,.0f}"
            )
    with tempfile.TemporaryDirectory() as out:
        seconds, built = _median_seconds(lambda: build_all(serving, Path(out)), 1)
    count = len(built.written)
    print(f"build_all: {count} workbooks in {seconds:.1f} s ({count / seconds:.1f} workbooks/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
