"""The inbox sensor: a run for each new set of complete files, keyed by their content hashes."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from ingestion.contract import load_contracts
from ingestion.load import content_hash, pending_files, unknown_source_files
from orchestration.assets.ingestion import FILE_REGISTRY_KEY, InboxSelection, op_name
from orchestration.jobs import treem_all_job
from orchestration.resources import HomeResource


def complete_files(sizes: dict[str, int], previous: dict[str, int]) -> list[str]:
    """Files whose size is the same as at the previous tick: the office has finished writing them."""
    return sorted(path for path, size in sizes.items() if previous.get(path) == size)


@dg.sensor(
    job=treem_all_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the inbox (every source's folder, and files dropped elsewhere in it); "
    "starts a run for the files that have stopped growing.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, treem_home: HomeResource) -> dg.SensorResult:
    home = treem_home.home
    contracts = load_contracts()
    sizes = {}
    source_folders = {home.source_inbox(c.source) for c in contracts.values()}
    waiting = [p for c in contracts.values() for p in pending_files(home.source_inbox(c.source))]
    for path in waiting + unknown_source_files(home):
        try:
            sizes[str(path)] = path.stat().st_size
        except OSError:  # a running job has just moved it
            continue
    previous = json.loads(context.cursor) if context.cursor else {}
    ready = complete_files(sizes, previous)
    cursor = json.dumps(sizes, sort_keys=True)
    if not ready:
        return dg.SensorResult(skip_reason="Không có tệp mới hoàn chỉnh trong hộp thư đến", cursor=cursor)
    try:
        # content and modification time: the same bytes dropped again (after a failed run, or a
        # quarantined file sent again) get a new run; a file merely seen again does not
        keys = sorted(f"{content_hash(Path(path))}:{Path(path).stat().st_mtime_ns}" for path in ready)
    except OSError:
        return dg.SensorResult(skip_reason="Tệp vừa được chuyển đi trong lúc kiểm tra; thử lại ở lần sau")
    # the run loads exactly these files: one still being copied waits for the next tick
    selection = {
        op_name(contract): InboxSelection(
            files=[Path(p).name for p in ready if Path(p).parent == home.source_inbox(contract.source)]
        )
        for contract in contracts.values()
    }
    selection[FILE_REGISTRY_KEY.to_python_identifier()] = InboxSelection(
        files=[
            Path(p).relative_to(home.inbox).as_posix() for p in ready if Path(p).parent not in source_folders
        ]
    )
    run_key = hashlib.sha256("".join(keys).encode()).hexdigest()[:32]
    context.log.info(f"{len(ready)} tệp mới: {', '.join(Path(p).name for p in ready[:10])}")
    request = dg.RunRequest(
        run_key=run_key, run_config=dg.RunConfig(ops=selection), tags={"treem/files": str(len(ready))}
    )
    return dg.SensorResult(run_requests=[request], cursor=cursor)
