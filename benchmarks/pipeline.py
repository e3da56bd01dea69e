"""Benchmark: generate demo extracts at a scale, run the pipeline once, print seconds and rows/second.

    .venv/bin/python -m benchmarks.pipeline --scale 1
    .venv/bin/python -m benchmarks.pipeline --scale 20 --seed 7

The run uses a fresh home under <TREEM_HOME>/bench/ (git-ignored). Results are recorded by hand in
docs/benchmarks.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time

from treem.home import Home, home_from_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--messy", type=float, default=0.0)
    args = parser.parse_args()

    home = Home(home_from_env().root / "bench" / f"scale-{args.scale:g}-seed-{args.seed}")
    if home.root.exists():
        shutil.rmtree(home.root)
    from ingestion.demo import generate
    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import use_home
    from orchestration.run_once import format_summary, run_pipeline

    use_home(home)
    started = time.perf_counter()
    truth = generate(home.root, seed=args.seed, scale=args.scale, messy=args.messy, progress=print)
    generate_seconds = time.perf_counter() - started
    rows_written = sum(s["rows_written"] for s in truth["sources"].values())
    prepare_manifest()
    started = time.perf_counter()
    summary = run_pipeline(home)
    run_seconds = time.perf_counter() - started

    ingest_seconds = summary.stage_seconds.get("nạp tệp (ingestion)", 0.0)
    immunization = truth["sources"]["immunization"]
    print(format_summary(summary))
    print(f"\nscale {args.scale:g}, seed {args.seed}, {os.cpu_count()} cores")
    print(
        f"generate: {generate_seconds:8.1f} s  {truth['generated_files']} files, {rows_written:,} rows "
        f"({rows_written / generate_seconds:,.0f} rows/s)"
    )
    rate = immunization["rows_written"] / max(ingest_seconds, 1e-9)
    print(
        f"run:      {run_seconds:8.1f} s  (ingestion {ingest_seconds:.1f} s, "
        f"{immunization['files']} immunisation files, "
        f"{immunization['rows_written']:,} rows: {rate:,.0f} rows/s)"
    )
    for stage, seconds in summary.stage_seconds.items():
        print(f"  {stage:<36} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
