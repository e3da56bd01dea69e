"""A process that holds the warehouse writer, for the recovery tests to find alive, then kill.

python -m tests.orchestration.writer_holder HOME MODE, where MODE is
  tagged    a run executed in process, tagged as `treem run` tags its run, holding a pool slot
  untagged  the same run untagged: its process is named only in its engine events, as a run
            launched by `treem ui` names its worker
  turn      the turn of `treem run` (the lock file), without a Dagster run
  warehouse the warehouse open, as a dbt build left running by a killed `treem run` has it (no run id)
  try-turn  prints "ready", then at a line on its input takes the turn if it is free at once and
            holds it until its input ends, or prints "busy"
Prints "holding RUN_ID" once it holds what it holds, then sleeps until killed.
"""

import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb

from base.home import Home
from orchestration.instance import home_instance
from orchestration.recovery import process_tags
from orchestration.resources import WAREHOUSE_POOL
from orchestration.writer_turn import WriterBusy, writer_turn


@dg.op(pool=WAREHOUSE_POOL)
def write_the_warehouse(context: dg.OpExecutionContext) -> None:
    print(f"holding {context.run_id}", flush=True)
    time.sleep(600)


@dg.job
def writer() -> None:
    write_the_warehouse()


def main(root: str, mode: str) -> None:
    home = Home(Path(root))
    instance = home_instance(home)
    if mode in ("tagged", "untagged"):
        writer.execute_in_process(instance=instance, tags=process_tags() if mode == "tagged" else None)
        return
    if mode == "warehouse":
        with duckdb.connect(str(home.warehouse)):
            print("holding -", flush=True)
            time.sleep(600)
    run_id = str(uuid.uuid4())
    if mode == "try-turn":
        print("ready", flush=True)
        sys.stdin.readline()
    try:
        with writer_turn(home, instance, run_id, 0 if mode == "try-turn" else None, lambda _: None):
            print(f"holding {run_id}", flush=True)
            if mode == "try-turn":
                sys.stdin.read()
            else:
                time.sleep(600)
    except WriterBusy:
        print("busy", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
