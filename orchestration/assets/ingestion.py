"""One ingestion asset per source contract: load every file waiting in that source's inbox."""

from collections import Counter
from collections.abc import Callable
from functools import partial

import dagster as dg

from base import vi
from ingestion.contract import Contract, load_contracts
from ingestion.inbox import skipped_entries
from ingestion.load import FileOutcome, ingest_inbox, quarantine_unknown
from ingestion.registry import ensure_raw_schema
from orchestration.resources import WAREHOUSE_POOL, HomeResource

FILE_REGISTRY_KEY = dg.AssetKey(["raw", "file_registry"])
FILES_LISTED = 200  # the per-file table in the UI; `treem status` and the registry hold them all
OUTCOME_VI = {
    "loaded": "đã nạp",
    "quarantined": "cách ly",
    "already_registered": "đã nhận trước đó",
    "waiting": "chờ (tệp thay đổi trong lúc đọc)",
}


def _files_table(outcomes: list[FileOutcome]) -> str:
    lines = ["| tệp | kết quả | dòng nạp | dòng bị loại | lý do |", "| --- | --- | ---: | ---: | --- |"]
    for o in outcomes[:FILES_LISTED]:
        reason = (o.reason or "").replace("|", "/")
        lines.append(
            f"| `{o.file_name}` | {OUTCOME_VI[o.outcome]} | {o.rows_loaded} | {o.rows_rejected} | {reason} |"
        )
    if len(outcomes) > FILES_LISTED:
        lines.append(f"| … và {len(outcomes) - FILES_LISTED} tệp khác | | | | |")
    return "\n".join(lines)


def _summary(outcomes: list[FileOutcome]) -> dict[str, dg.MetadataValue | int]:
    by_outcome = Counter(o.outcome for o in outcomes)
    quarantined = [o for o in outcomes if o.outcome == "quarantined"]
    return {
        "files_loaded": by_outcome["loaded"],
        "files_quarantined": by_outcome["quarantined"],
        "files_already_registered": by_outcome["already_registered"],
        "files_waiting": by_outcome["waiting"],
        "rows_read": sum(o.rows_read for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
        "rows_skipped": sum(o.rows_skipped for o in outcomes),
        "quarantined": dg.MetadataValue.md(
            "\n".join(f"- `{o.file_name}`: {o.reason}" for o in quarantined) or "(không có)"
        ),
        "files": dg.MetadataValue.md(_files_table(outcomes) if outcomes else "(không có tệp mới)"),
    }


class InboxSelection(dg.Config):
    """Which waiting files to load: all of them (`treem run`), or those the sensor saw complete
    (names in the source's folder; for the registry step, paths relative to the inbox)."""

    files: list[str] | None = None


def op_name(contract: Contract) -> str:
    return f"raw__{contract.raw_table}"


def _log_outcome(context: dg.AssetExecutionContext, outcome: FileOutcome) -> None:
    """A line on the console for a file that needs someone (set aside, waiting); a loaded file's line
    goes to the run's log only (the console gets one line per source: _log_totals)."""
    line = (
        f"{outcome.file_name}: {outcome.outcome} ({outcome.rows_loaded} dòng nạp, "
        f"{outcome.rows_rejected} dòng lỗi){' – ' + outcome.reason if outcome.reason else ''}"
    )
    if outcome.outcome in ("quarantined", "waiting"):
        context.log.info(line)
    else:
        context.log.debug(line)


def _log_totals(context: dg.AssetExecutionContext, outcomes: list[FileOutcome]) -> None:
    if not outcomes:
        context.log.info("không có tệp mới")
        return
    by_outcome = Counter(o.outcome for o in outcomes)
    context.log.info(
        f"{len(outcomes)} tệp: {by_outcome['loaded']} đã nạp, {by_outcome['quarantined']} cách ly, "
        f"{by_outcome['already_registered']} đã có, {by_outcome['waiting']} đang chờ; "
        + vi.count(sum(o.rows_loaded for o in outcomes))
        + " dòng nạp, "
        + vi.count(sum(o.rows_rejected for o in outcomes))
        + " dòng lỗi"
    )


def _materialize(
    context: dg.AssetExecutionContext,
    config: InboxSelection,
    treem_home: HomeResource,
    load_files: Callable[..., list[FileOutcome]],
    raw_table: str | None = None,
) -> dg.MaterializeResult:
    home = treem_home.home.ensure()
    with treem_home.warehouse() as con:
        ensure_raw_schema(con, list(load_contracts().values()))
        only = None if config.files is None else set(config.files)
        outcomes = load_files(con=con, home=home, progress=lambda o: _log_outcome(context, o), only=only)
        _log_totals(context, outcomes)
        metadata = _summary(outcomes)
        if raw_table:
            metadata["table_rows"] = con.execute(f"select count(*) from raw.{raw_table}").fetchone()[0]
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=FILE_REGISTRY_KEY,
    group_name="ingestion",
    description="The registry of every file that reached an inbox (outcome, counts, lineage of corrections). "
    "This step prepares the raw schema and sets aside, with a reason, files dropped where no source "
    "contract applies; each source's asset then registers its own files.",
    kinds={"python", "duckdb"},
    pool=WAREHOUSE_POOL,
)
def file_registry(
    context: dg.AssetExecutionContext, config: InboxSelection, treem_home: HomeResource
) -> dg.MaterializeResult:
    result = _materialize(context, config, treem_home, quarantine_unknown)
    skipped = skipped_entries(treem_home.home, seconds=0)  # files still settling are counted as waiting
    for entry in skipped:
        context.log.warning(f"bỏ qua {entry.path}: {entry.reason}")
    return dg.MaterializeResult(
        metadata={
            **result.metadata,
            "entries_skipped": len(skipped),
            "skipped": dg.MetadataValue.md(
                "\n".join(f"- `{e.path}`: {e.reason}" for e in skipped) or "(không có)"
            ),
        }
    )


def build_ingestion_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", contract.raw_table],
        name=None,
        group_name="ingestion",
        description=f"{contract.name_vi}: rows of the extracts from {contract.sender_vi}, "
        f"loaded from inbox/{contract.source}/ by the '{contract.source}' contract.",
        kinds={"python", "duckdb"},
        pool=WAREHOUSE_POOL,
        deps=[FILE_REGISTRY_KEY],
    )
    def ingest(
        context: dg.AssetExecutionContext, config: InboxSelection, treem_home: HomeResource
    ) -> dg.MaterializeResult:
        load_files = partial(ingest_inbox, contract=contract)
        return _materialize(context, config, treem_home, load_files, contract.raw_table)

    return ingest


def ingestion_assets() -> list[dg.AssetsDefinition]:
    return [file_registry, *(build_ingestion_asset(contract) for contract in load_contracts().values())]
