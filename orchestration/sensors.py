"""The inbox sensor: a run for each new set of complete files, keyed by their content hashes."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from ingestion.contract import load_contracts
from ingestion.inbox import pending_files, unknown_source_files
from ingestion.load import content_hash
from ingestion.rebuild import warehouse_problem
from orchestration.assets.ingestion import FILE_REGISTRY_KEY, InboxSelection, op_name
from orchestration.jobs import treem_all_job
from orchestration.recovery import sweep
from orchestration.resources import HomeResource
from orchestration.writer_turn import current_holder, warehouse_busy


def complete_files(seen: dict[str, str], previous: dict[str, str], requested: dict[str, str]) -> list[str]:
    """Files unchanged (size and modification time) since the previous tick, so the office has
    finished writing them, and not yet asked for: a file waiting for its queued run is not asked
    for again; the same file dropped again (a new modification time) is."""
    return sorted(
        path for path, stamp in seen.items() if previous.get(path) == stamp and requested.get(path) != stamp
    )


@dg.sensor(
    job=treem_all_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the inbox (every source's folder, and files dropped elsewhere in it); "
    "starts a run for the files that have stopped growing, once no other run writes the warehouse. "
    "Fails the runs whose process died.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, treem_home: HomeResource) -> dg.SensorResult:
    home = treem_home.home
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        swept = sweep(instance)
    for process in swept.failed:
        context.log.warning(f"Đã đánh dấu THẤT BẠI {process.describe()} và trả lượt ghi kho nó giữ.")
    contracts = load_contracts()
    seen = {}
    source_folders = {home.source_inbox(c.source) for c in contracts.values()}
    waiting = [p for c in contracts.values() for p in pending_files(home.source_inbox(c.source))]
    for path in waiting + unknown_source_files(home):
        try:
            stat = path.stat()
        except OSError:  # a running job has just moved it
            continue
        seen[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}"
    state = json.loads(context.cursor) if context.cursor else {}
    previous, requested = state.get("seen", {}), state.get("requested", {})
    requested = {path: stamp for path, stamp in requested.items() if path in seen}  # gone: loaded
    ready = complete_files(seen, previous, requested)
    cursor = json.dumps({"seen": seen, "requested": requested}, sort_keys=True)
    if not ready:
        return dg.SensorResult(skip_reason="Không có tệp mới hoàn chỉnh trong hộp thư đến", cursor=cursor)
    problem = warehouse_problem(home)
    if problem:  # a run would build a warehouse of the new files only
        return dg.SensorResult(skip_reason=problem, cursor=cursor)
    busy = current_holder(home) or warehouse_busy(home, swept)
    if busy:  # the files stay unrequested: asked for at a tick after that run
        return dg.SensorResult(
            skip_reason=f"{len(ready)} tệp mới chờ lần kiểm tra sau, khi kho dữ liệu rảnh: đang có {busy}",
            cursor=cursor,
        )
    try:
        # content and modification time: the same bytes dropped again (after a failed run, or a
        # quarantined file sent again) get a new run; the same file seen again does not
        keys = sorted(f"{content_hash(Path(path))}:{seen[path]}" for path in ready)
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
    requested.update({path: seen[path] for path in ready})
    cursor = json.dumps({"seen": seen, "requested": requested}, sort_keys=True)
    return dg.SensorResult(run_requests=[request], cursor=cursor)
