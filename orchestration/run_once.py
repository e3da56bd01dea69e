"""`treem run`: materialize the whole asset graph once, in process, on the home's Dagster instance."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from base.home import Home
from base.vi import count
from orchestration.dbt_state import UNCHANGED_SEED
from orchestration.instance import home_instance
from orchestration.jobs import TREEM_ALL_JOB
from orchestration.nothing_new import forget_complete_run, nothing_new, record_complete_run
from orchestration.recovery import local_time, process_tags
from orchestration.run_history import release_history
from orchestration.writer_turn import writer_turn

INGESTION_COUNTS = (
    "files_loaded",
    "files_quarantined",
    "files_already_registered",
    "files_waiting",
    "entries_skipped",
    "rows_loaded",
    "rows_rejected",
)


@dataclass
class RunSummary:
    run_id: str
    success: bool
    log_file: Path | None  # None: nothing to do, no Dagster run
    ingestion: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)  # severity ERROR
    checks_warned: list[str] = field(default_factory=list)  # severity WARN: listed, never blocking
    blocking_failed: list[str] = field(default_factory=list)
    seeds_unchanged: int = 0  # seeds as the last good build loaded them: neither loaded nor tested
    stage_seconds: dict[str, float] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)  # not run though no check blocked them
    # nothing new since the last complete run (its end, local time): dbt, checks, publish, reports skipped
    nothing_new_since: str | None = None


def _stage(step_key: str) -> str:
    if step_key.startswith("raw"):
        return "nạp tệp (ingestion)"
    if "dbt" in step_key:
        return "dbt build (kho dữ liệu + kiểm thử)"
    if "serving" in step_key:
        return "xuất bản (serving copy)"
    if step_key == "period_reports":
        return "báo cáo Excel theo kỳ (reports)"
    if step_key == "approved_figures":
        return "sổ phê duyệt vào kho (signoff)"
    if step_key == "great_expectations_suites":
        return "kiểm tra chất lượng (Great Expectations)"
    return step_key


def _blocks(evaluation: dg.AssetCheckEvaluation) -> bool:
    """A blocking check failed with severity ERROR: the publish did not run (a WARN never blocks)."""
    return not evaluation.passed and evaluation.blocking and evaluation.severity != dg.AssetCheckSeverity.WARN


def _with_reason(name: str, description: str | None) -> str:
    return f"{name} ({description})" if description else name


def _say(message: str) -> None:
    print(message, flush=True)


def run_pipeline(
    home: Home,
    full_refresh: bool = False,
    wait_timeout: float | None = None,
    say: Callable[[str], None] = _say,
    force: bool = False,
) -> RunSummary:
    """Runs the whole graph once when the warehouse writer is free: waits for it (``wait_timeout``
    seconds at most, else raises WriterBusy; None: as long as it takes), failing on the way the runs
    whose process died. When nothing changed since the last complete run (no file waits, same project,
    same day), it does nothing, unless ``force`` or ``full_refresh``."""
    try:
        return _run_and_summarise(home, full_refresh, wait_timeout, say, force)
    finally:
        release_history()  # a process that runs again later (a test, the sensor's) holds no old home


def _run_and_summarise(
    home: Home, full_refresh: bool, wait_timeout: float | None, say: Callable[[str], None], force: bool
) -> RunSummary:
    instance = home_instance(home)
    run_id = str(uuid.uuid4())
    with writer_turn(home, instance, run_id, wait_timeout, say) as others_done:
        if not (force or full_refresh) and (since := nothing_new(home)):
            return RunSummary(run_id, True, None, nothing_new_since=since)
        forget_complete_run(home)
        from orchestration.dbt_project import prepare_manifest

        prepare_manifest()
        # after use_home and the manifest: the definitions read TREEM_HOME at run time, the manifest now
        from orchestration.definitions import defs

        job = defs.resolve_job_def(TREEM_ALL_JOB)
        others_done()  # loading took seconds: a run launched from the Dagster UI meanwhile goes first
        log_file = home.root / "logs" / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with (
            open(log_file, "w", encoding="utf-8") as log,
            contextlib.redirect_stdout(log),
            contextlib.redirect_stderr(log),
        ):
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_id=run_id,
                tags=process_tags(),
                run_config={
                    "loggers": {"console": {"config": {"log_level": "INFO"}}},
                    "ops": {"treem_dbt_assets": {"config": {"full_refresh": full_refresh}}},
                },
            )
        blocked = any(_blocks(e) for e in result.get_asset_check_evaluations())
        skipped = unfinished_steps(result)
        if result.success and not blocked and not skipped:  # published, reports written: the next may skip
            record_complete_run(home, result.run_id)
    summary = RunSummary(result.run_id, result.success and not skipped, log_file, skipped_steps=skipped)
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        summary.seeds_unchanged += UNCHANGED_SEED in materialization.metadata
        if materialization.asset_key.path[0] == "raw":
            for name in INGESTION_COUNTS:
                if name in materialization.metadata:
                    summary.ingestion[name] += int(materialization.metadata[name].value)
    for evaluation in result.get_asset_check_evaluations():
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed:
            summary.checks_passed += 1
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            summary.checks_warned.append(_with_reason(name, evaluation.description))
        else:
            summary.checks_failed.append(_with_reason(name, evaluation.description))
            if _blocks(evaluation):
                summary.blocking_failed.append(name)
    records = instance.all_logs(result.run_id)
    with open(log_file, "a", encoding="utf-8") as log:
        log.writelines(failure_tracebacks(records))
    starts: dict[str, float] = {}
    for record in records:
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            stage = _stage(event.step_key)
            seconds = record.timestamp - starts[event.step_key]
            summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + seconds
            if event.event_type_value == "STEP_FAILURE":
                summary.failed_steps.append(event.step_key)
    return summary


def unfinished_steps(result: dg.ExecutionResult) -> list[str]:
    """The steps Dagster did not run because a step before them gave no output, when no blocking
    check stopped them: the serving copy or the reports stay behind the warehouse, so the run did not
    finish its work, whatever Dagster's own verdict. (A blocking check's failure is reported apart.)"""
    if any(_blocks(e) for e in result.get_asset_check_evaluations()):
        return []
    return [event.step_key for event in result.get_step_skipped_events()]


def failure_tracebacks(records: Sequence[dg.EventLogEntry]) -> list[str]:
    """The full traceback of every failed step of a run, or of the run when it failed outside its
    steps (when a step failed, the run's error repeats the step's), for its log file."""
    steps, runs = [], []
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error, where, texts = event.step_failure_data.error, f"bước {event.step_key}", steps
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            error, where, texts = event.job_failure_data.error, "lần chạy", runs
        else:
            continue
        if error is not None:
            texts.append(f"\n── LỖI {where} ({local_time(record.timestamp)}) ──\n{error.to_string()}\n")
    return steps or runs


def format_summary(summary: RunSummary) -> str:
    if summary.nothing_new_since:
        since = dt.datetime.fromisoformat(summary.nothing_new_since)
        return (
            f"\n── Không có gì mới kể từ lần chạy trọn vẹn lúc {since:%H:%M ngày %d/%m/%Y}: không tệp nào "
            "chờ trong inbox, mã nguồn và dự án dbt không đổi, cùng ngày. Đã bỏ qua dbt, kiểm tra, xuất bản "
            "và báo cáo (bản phục vụ và báo cáo hiện có vẫn đúng). Muốn chạy lại đủ các bước: "
            "treem run --force."
        )
    ing = summary.ingestion
    lines = [
        "",
        "── Kết quả lần chạy "
        + summary.run_id[:8]
        + " "
        + ("(THÀNH CÔNG)" if summary.success else "(THẤT BẠI)"),
        f"Tệp: {ing['files_loaded']} đã nạp, {ing['files_quarantined']} cách ly, "
        f"{ing['files_already_registered']} đã nhận trước đó (bỏ qua)"
        + (f", {ing['files_waiting']} đang được ghi (chờ lần sau)" if ing["files_waiting"] else "")
        + (
            f"; {ing['entries_skipped']} mục không đọc (tệp ẩn, thư mục, liên kết…: xem `treem status`)"
            if ing["entries_skipped"]
            else ""
        ),
        f"Dòng: {count(ing['rows_loaded'])} đã nạp, {count(ing['rows_rejected'])} bị loại "
        "(xem raw.row_rejects)",
        f"Kiểm tra: {summary.checks_passed} đạt, {len(summary.checks_failed)} không đạt"
        + (f" ({len(summary.blocking_failed)} chặn xuất bản)" if summary.blocking_failed else "")
        + f", {len(summary.checks_warned)} cảnh báo"
        + (
            f" ({summary.seeds_unchanged} bảng tham chiếu không đổi: không nạp, không kiểm thử lại)"
            if summary.seeds_unchanged
            else ""
        ),
    ]
    lines += [f"  ✗ {name}" for name in summary.checks_failed[:20]]
    lines += [f"  ! {name}" for name in summary.checks_warned[:20]]
    if summary.blocking_failed:
        lines.append(
            "KHÔNG XUẤT BẢN: kiểm tra chặn không đạt ("
            + ", ".join(summary.blocking_failed)
            + "); bảng điều khiển vẫn dùng bản phục vụ lần trước."
        )
    lines.append("Thời gian từng bước:")
    lines += [f"  {stage:<42} {seconds:6.1f} giây" for stage, seconds in summary.stage_seconds.items()]
    if summary.skipped_steps:
        lines.append(
            "Bước không chạy (bước trước không cho kết quả): "
            + ", ".join(summary.skipped_steps)
            + "; bảng điều khiển và báo cáo vẫn là của lần trước."
        )
    if summary.failed_steps:
        lines.append(
            "Bước lỗi: " + ", ".join(summary.failed_steps) + f" (traceback đầy đủ trong {summary.log_file})"
        )
    lines.append(f"Nhật ký đầy đủ: {summary.log_file}")
    return "\n".join(lines)
