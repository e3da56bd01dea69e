"""Benchmark: generate demo extracts at a scale, run the pipeline, print seconds per stage and rows/second.

    .venv/bin/python -m benchmarks.pipeline --scale 1
    .venv/bin/python -m benchmarks.pipeline --scale 20 --seed 7

The first run holds back the files of the last month (December's extracts, and the register snapshot
and BHYT list dated at its end), then a second run loads just those: the time of an incremental run
after one new month; a third run has nothing new. Each run prints the slowest dbt models; the end is a
Markdown table (seconds per stage, rows per second, and the peak memory of the run: the most its
whole process tree held at once, run process, readers and dbt added up, and the most one process
held; benchmarks/memory.py) to paste into docs/benchmarks.md with the machine it ran on. Each run is a
process of its own, as `treem run` is. The runs use a fresh home under <TREEM_HOME>/bench/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import shutil
import time
from pathlib import Path

from base.home import Home, home_from_env
from benchmarks.memory import TreeMemory, peak_resident_mb

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


def _run(home_root: str, results: multiprocessing.Queue) -> None:
    from orchestration.run_once import run_pipeline

    summary = run_pipeline(Home(Path(home_root)))
    results.put((summary, peak_resident_mb()))


def run_measured(home: Home) -> tuple[object, float, TreeMemory]:
    """One `treem run` in a process of its own, timed from its start (imports included, as a user's
    `treem run` pays them), its tree's memory sampled while it runs."""
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    child = spawn.Process(target=_run, args=(str(home.root), results))
    started = time.perf_counter()
    child.start()
    memory = TreeMemory(child.pid).start()
    while True:
        try:
            summary, memory.run_process_hwm_mb = results.get(timeout=1)
            break
        except queue.Empty:
            if not child.is_alive():  # it failed before it could report: its traceback is above
                memory.stop()
                raise SystemExit(f"the run's process ended with code {child.exitcode}") from None
    seconds = time.perf_counter() - started
    child.join()
    memory.stop()
    return summary, seconds, memory


def table_row(scale: float, label: str, summary, seconds: float, memory: TreeMemory) -> str:
    stages = " | ".join(f"{summary.stage_seconds.get(stage, 0.0):.1f}" for _, stage in STAGES)
    rows = summary.ingestion["rows_loaded"]
    ingest = summary.stage_seconds.get(INGEST_STAGE, 0.0)
    rate = f"{rows / ingest:,.0f}" if ingest else "–"
    peak = f"{memory.peak_total_mb:,.0f} / {memory.peak_process_mb:,.0f} ({memory.peak_process})"
    return f"| {scale:g} | {label} | {seconds:.1f} | {stages} | {rows:,} | {rate} | {peak} |"


def report(label: str, home: Home, summary, seconds: float, memory: TreeMemory) -> None:
    from orchestration.run_once import format_summary

    print(format_summary(summary))
    print(
        f"peak memory: {memory.peak_total_mb:,.0f} MiB the whole run, {memory.peak_process_mb:,.0f} MiB "
        f"one process ({memory.peak_process}); the run process's own peak (VmHWM, not sampled) "
        f"{memory.run_process_hwm_mb:,.0f} MiB"
    )
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
    rows = []

    def measured(label: str, row_label: str) -> None:
        summary, seconds, memory = run_measured(home)
        report(label, home, summary, seconds, memory)
        rows.append(table_row(args.scale, row_label, summary, seconds, memory))

    measured(f"run 1 (all but the last month, full build; {moved} files held back)", "all but the last month")
    for source_folder in held.iterdir():
        for path in source_folder.iterdir():
            shutil.move(path, home.source_inbox(source_folder.name) / path.name)
    measured("run 2 (the last month arrives)", "one new month")
    measured("run 3 (nothing new)", "nothing new")

    names = " | ".join(f"{name} s" for name, _ in STAGES)
    peak = "peak MiB (whole run / one process)"
    print(f"\n| scale | run | seconds | {names} | rows loaded | rows/s (ingestion) | {peak} |")
    print("| ---: | --- | ---: |" + " ---: |" * len(STAGES) + " ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
