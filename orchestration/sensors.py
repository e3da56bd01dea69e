"""The inbox sensor: a run for each new set of complete files, keyed by their content hashes."""

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from ingestion.claim import claimed_files
from ingestion.contract import load_contracts
from ingestion.filing import content_hash
from ingestion.inbox import pending_files, unknown_source_files
from ingestion.load import UNKNOWN_SOURCE
from ingestion.rebuild import warehouse_problem
from orchestration.assets.ingestion import FILE_REGISTRY_KEY, InboxSelection, op_name
from orchestration.jobs import treem_all_job
from orchestration.recovery import sweep
from orchestration.resources import HomeResource
from orchestration.writer_turn import current_holder, warehouse_busy

RETRY_SECONDS = 300  # a file still waiting this long after its run was asked for, no run alive: ask again


def _requests(state: dict, seen: dict[str, str], idle: bool) -> dict[str, list]:
    """The files asked for and still waiting: path → [stamp, when asked, attempt]. When no run is alive
    and a file asked for long ago still waits, its run failed before taking it (killed, or failed by the
    recovery): it is forgotten, to be asked for again."""
    now = time.time()
    kept = {}
    for path, entry in state.get("requested", {}).items():
        stamp, asked, attempt = entry if isinstance(entry, list) else (entry, now, 0)  # an older cursor
        if path not in seen:
            continue  # gone: taken by its run
        if idle and now - asked > RETRY_SECONDS:
            continue
        kept[path] = [stamp, asked, attempt]
    return kept


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
    # files a run claimed and did not store (killed, or they changed while read): any run takes them first
    claimed = [p for source in [*contracts, UNKNOWN_SOURCE] for p in claimed_files(home, source)]
    for path in waiting + unknown_source_files(home) + claimed:
        try:
            stat = path.stat()
        except OSError:  # a running job has just moved it
            continue
        seen[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}"
    state = json.loads(context.cursor) if context.cursor else {}
    previous = state.get("seen", {})
    attempts = {
        path: entry[2] + 1 for path, entry in state.get("requested", {}).items() if isinstance(entry, list)
    }
    requested = _requests(state, seen, idle=not swept.live and current_holder(home) is None)
    ready = complete_files(seen, previous, {path: entry[0] for path, entry in requested.items()})
    cursor = json.dumps({"seen": seen, "requested": requested}, sort_keys=True)
    if not ready:
        return dg.SensorResult(skip_reason="Không có tệp mới hoàn chỉnh trong hộp thư đến", cursor=cursor)
    busy = current_holder(home) or warehouse_busy(home, swept)
    if busy:  # the files stay unrequested: asked for at a tick after that run
        return dg.SensorResult(
            skip_reason=f"{len(ready)} tệp mới chờ lần kiểm tra sau, khi kho dữ liệu rảnh: đang có {busy}",
            cursor=cursor,
        )
    problem = warehouse_problem(home)  # after: it opens the warehouse, which a writer would find locked
    if problem:  # a run would build a warehouse of the new files only
        return dg.SensorResult(skip_reason=problem, cursor=cursor)
    try:
        # content and modification time: the same bytes dropped again (after a failed run, or a
        # quarantined file sent again) get a new run; the same file seen again does not
        # a file asked for again after its run failed: a new attempt, a new key (Dagster runs a key once)
        keys = sorted(
            f"{content_hash(Path(path))}:{seen[path]}" + (f":{attempts[path]}" if attempts.get(path) else "")
            for path in ready
        )
    except OSError:
        return dg.SensorResult(skip_reason="Tệp vừa được chuyển đi trong lúc kiểm tra; thử lại ở lần sau")
    # the run loads exactly these files (and those in processing/, which every run takes first): one
    # still being copied waits for the next tick
    dropped = [Path(p) for p in ready if Path(p).is_relative_to(home.inbox)]
    selection = {
        op_name(contract): InboxSelection(
            files=[p.name for p in dropped if p.parent == home.source_inbox(contract.source)]
        )
        for contract in contracts.values()
    }
    selection[FILE_REGISTRY_KEY.to_python_identifier()] = InboxSelection(
        files=[p.relative_to(home.inbox).as_posix() for p in dropped if p.parent not in source_folders]
    )
    run_key = hashlib.sha256("".join(keys).encode()).hexdigest()[:32]
    context.log.info(f"{len(ready)} tệp mới: {', '.join(Path(p).name for p in ready[:10])}")
    request = dg.RunRequest(
        run_key=run_key, run_config=dg.RunConfig(ops=selection), tags={"treem/files": str(len(ready))}
    )
    requested.update({path: [seen[path], time.time(), attempts.get(path, 0)] for path in ready})
    cursor = json.dumps({"seen": seen, "requested": requested}, sort_keys=True)
    return dg.SensorResult(run_requests=[request], cursor=cursor)
