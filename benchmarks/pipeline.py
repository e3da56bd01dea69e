"""Benchmark: generate demo extracts at a scale, run the pipeline, print seconds per stage and rows/second.

    .venv/bin/python -m benchmarks.pipeline --scale 1
    .venv/bin/python -m benchmarks.pipeline --scale 20 --seed 7

The first run holds back the files of the last month (December's extracts, and the register snapshot
and BHYT list dated at its end), then a second run loads just those: the time of an incremental run
after one new month. Each run prints the slowest dbt models. The run uses a fresh home under
<TREEM_HOME>/bench/ (git-ignored). Results are recorded by hand in docs/benchmarks.md with the machine
they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from base.home import Home, home_from_env

DBT_STAGE = "dbt build (kho dữ liệu + kiểm thử)"
INGEST_STAGE = "nạp tệp (ingestion)"


def hold_back(home: Home, truth: dict, last_month: str, held: Path) -> int:
    """Move the files whose period ends in ``last_month`` ('2025-12') out of the inbox; returns how many."""
    moved = 0
    for source, entry in truth["sources"].items():
        for f in entry["files_list"]:
            period = f["period"]
            ends_in_last_month = period == last_month or period == f"{last_month[:4]}-Q4"
            path = home.source_inbox(source) / f["file"]
            if ends_in_last_month and path.exists():
                (held / source).mkdir(parents=True, exist_ok=True)
                shutil.move(path, held / source / f["file"])
                moved += 1
    return moved


def slowest_models(home: Home, count: int = 8) -> list[tuple[float, str]]:
    results = json.loads((home.dbt_target / "run_results.json").read_text(encoding="utf-8"))
    timed = [
        (r["execution_time"], r["unique_id"].split(".")[-1])
        for r in results["results"]
        if r["unique_id"].startswith("model.")
    ]
    return sorted(timed, reverse=True)[:count]


def report(label: str, home: Home, summary, seconds: float) -> None:
    from orchestration.run_once import format_summary

    print(format_summary(summary))
    rows = summary.ingestion["rows_loaded"]
    ingest = summary.stage_seconds.get(INGEST_STAGE, 0.0)
    print(f"\n{label}: {seconds:.1f} s, {summary.ingestion['files_loaded']} files, {rows:,} rows loaded")
    print(f"  ingestion {ingest:.1f} s ({rows / max(ingest, 1e-9):,.0f} rows/s)")
    for stage, stage_seconds in summary.stage_seconds.items():
        print(f"  {stage:<36} {stage_seconds:8.1f} s")
    print("  slowest dbt models:")
    for model_seconds, name in slowest_models(home):
        print(f"    {name:<44} {model_seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--messy", type=float, default=0.0)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    home = Home(home_from_env().root / "bench" / f"scale-{args.scale:g}-seed-{args.seed}")
    if home.root.exists():
        shutil.rmtree(home.root)
    from demo import generate
    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import use_home
    from orchestration.run_once import run_pipeline

    use_home(home)
    started = time.perf_counter()
    truth = generate(
        home.root, seed=args.seed, scale=args.scale, messy=args.messy, year=args.year, progress=print
    )
    generate_seconds = time.perf_counter() - started
    rows_written = sum(s["rows_written"] for s in truth["sources"].values())
    print(f"\nscale {args.scale:g}, seed {args.seed}, {os.cpu_count()} cores")
    print(
        f"generate: {generate_seconds:.1f} s, {truth['generated_files']} files, {rows_written:,} rows "
        f"({rows_written / generate_seconds:,.0f} rows/s)"
    )

    held = home.root / "held-back"
    moved = hold_back(home, truth, f"{args.year}-12", held)
    prepare_manifest()
    started = time.perf_counter()
    summary = run_pipeline(home)
    report(
        f"run 1 (all but the last month, full build; {moved} files held back)",
        home,
        summary,
        time.perf_counter() - started,
    )

    for source_folder in held.iterdir():
        for path in source_folder.iterdir():
            shutil.move(path, home.source_inbox(source_folder.name) / path.name)
    started = time.perf_counter()
    summary = run_pipeline(home)
    report("run 2 (the last month arrives: incremental facts)", home, summary, time.perf_counter() - started)


if __name__ == "__main__":
    main()
