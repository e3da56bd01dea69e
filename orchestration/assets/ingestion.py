"""One ingestion asset per source contract: load every file waiting in that source's inbox."""

from collections import Counter

import dagster as dg

from ingestion.contract import Contract, load_contracts
from ingestion.load import FileOutcome, ingest_inbox
from ingestion.registry import ensure_raw_schema
from orchestration.resources import WAREHOUSE_POOL, HomeResource

FILE_REGISTRY = dg.AssetSpec(
    key=["raw", "file_registry"],
    description="Every file that reached an inbox, written by the ingestion assets as they load.",
    group_name="ingestion",
    kinds={"duckdb"},
)


def _summary(outcomes: list[FileOutcome]) -> dict[str, dg.MetadataValue | int]:
    by_outcome = Counter(o.outcome for o in outcomes)
    quarantined = [o for o in outcomes if o.outcome == "quarantined"]
    return {
        "files_loaded": by_outcome["loaded"],
        "files_quarantined": by_outcome["quarantined"],
        "files_already_registered": by_outcome["already_registered"],
        "rows_read": sum(o.rows_read for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
        "rows_skipped": sum(o.rows_skipped for o in outcomes),
        "quarantined": dg.MetadataValue.md(
            "\n".join(f"- `{o.file_name}`: {o.reason}" for o in quarantined) or "(không có)"
        ),
    }


class InboxSelection(dg.Config):
    """Which waiting files to load: all of them (`treem run`), or those the sensor saw complete."""

    files: list[str] | None = None


def op_name(contract: Contract) -> str:
    return f"raw__{contract.raw_table}"


def build_ingestion_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", contract.raw_table],
        name=None,
        group_name="ingestion",
        description=f"{contract.name_vi}: rows of the extracts from {contract.sender_vi}, "
        f"loaded from inbox/{contract.source}/ by the '{contract.source}' contract.",
        kinds={"python", "duckdb"},
        pool=WAREHOUSE_POOL,
    )
    def ingest(
        context: dg.AssetExecutionContext, config: InboxSelection, treem_home: HomeResource
    ) -> dg.MaterializeResult:
        home = treem_home.home.ensure()

        def log(outcome: FileOutcome) -> None:
            context.log.info(
                f"{outcome.file_name}: {outcome.outcome} ({outcome.rows_loaded} dòng nạp, "
                f"{outcome.rows_rejected} dòng lỗi){' – ' + outcome.reason if outcome.reason else ''}"
            )

        with treem_home.warehouse() as con:
            ensure_raw_schema(con, list(load_contracts().values()))
            only = None if config.files is None else set(config.files)
            outcomes = ingest_inbox(con, contract, home, progress=log, only=only)
            total_rows = con.execute(f"select count(*) from raw.{contract.raw_table}").fetchone()[0]
        return dg.MaterializeResult(metadata={**_summary(outcomes), "table_rows": total_rows})

    return ingest


def ingestion_assets() -> list[dg.AssetsDefinition]:
    return [build_ingestion_asset(contract) for contract in load_contracts().values()]
