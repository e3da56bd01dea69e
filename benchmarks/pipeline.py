"""Benchmark: generate demo extracts at a scale, run the pipeline, print seconds per stage and rows/second.

    .venv/bin/python -m benchmarks.pipeline --scale 1
    .venv/bin/python -m benchmarks.pipeline --scale 20 --seed 7

The first run holds back the files of the last month (December's extracts, and the register snapshot
and BHYT list dated at its end), then a second run loads just those: the time of an incremental run
after one new month; a third run has nothing new. Each run prints the slowest dbt models; the end is a
Markdown table (seconds per stage, rows per second, peak resident memory of this process and of its
largest child: dbt or a reader) to paste into docs/benchmarks.md with the machine it ran on. The runs use a
fresh home under <TREEM_HOME>/bench/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


STAGES = (
    ("ingestion", INGEST_STAGE),
    ("dbt", DBT_STAGE),
    ("GX", "kiểm tra chất lượng (Great Expectations)"),
    ("publish", "xuất bản (serving copy)"),
    ("reports", "báo cáo Excel theo kỳ (reports)"),
)


def peak_mb() -> tuple[float, float]:
    """Peak resident memory so far (MiB): this process, and the largest child that has ended (dbt)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def table_row(scale: float, label: str, summary, seconds: float) -> str:
    stages = " | ".join(f"{summary.stage_seconds.get(stage, 0.0):.1f}" for _, stage in STAGES)
    rows = summary.ingestion["rows_loaded"]
    ingest = summary.stage_seconds.get(INGEST_STAGE, 0.0)
    rate = f"{rows / ingest:,.0f}" if ingest else "–"
    own, child = (f"{mb:,.0f}" for mb in peak_mb())
    return f"| {scale:g} | {label} | {seconds:.1f} | {stages} | {rows:,} | {rate} | {own} / {child} |"


def report(label: str, home: Home, summary, seconds: float) -> None:
    from orchestration.run_once import format_summary

    print(format_summary(summary))
    if summary.nothing_new_since:
        print(f"\n{label}: {seconds:.1f} s, nothing new: dbt, checks, publish and reports skipped")
        return
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
    seconds = time.perf_counter() - started
    report(f"run 1 (all but the last month, full build; {moved} files held back)", home, summary, seconds)
    rows = [table_row(args.scale, "all but the last month", summary, seconds)]

    for source_folder in held.iterdir():
        for path in source_folder.iterdir():
            shutil.move(path, home.source_inbox(source_folder.name) / path.name)
    started = time.perf_counter()
    summary = run_pipeline(home)
    seconds = time.perf_counter() - started
    report("run 2 (the last month arrives)", home, summary, seconds)
    rows.append(table_row(args.scale, "one new month", summary, seconds))

    started = time.perf_counter()
    summary = run_pipeline(home)
    seconds = time.perf_counter() - started
    report("run 3 (nothing new)", home, summary, seconds)
    rows.append(table_row(args.scale, "nothing new", summary, seconds))

    names = " | ".join(f"{name} s" for name, _ in STAGES)
    peak = "peak MiB (run / largest child)"
    print(f"\n| scale | run | seconds | {names} | rows loaded | rows/s (ingestion) | {peak} |")
    print("| ---: | --- | ---: |" + " ---: |" * len(STAGES) + " ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
