"""The sign-off ledger's approvals and the figures they approved, copied into the warehouse (schema
``signoff``) so that what was approved can be queried beside what the data say now (docs/reports.md#sign-off).
The ledger stays the record: this copy is replaced whole at each run."""

import dagster as dg
import pandas as pd

from orchestration.resources import WAREHOUSE_POOL, HomeResource
from signoff import ledger

TYPES = {"text": "varchar", "double": "double"}  # the ledger's declared types (times and dates as ISO text)


@dg.asset(
    key="approved_figures",
    group_name="publish",
    description="The report periods approved (ward and district), their withdrawals and the indicator "
    "figures each approval covered, from the sign-off ledger into the warehouse's signoff schema (one "
    "transaction).",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
)
def approved_figures(context: dg.AssetExecutionContext, treem_home: HomeResource) -> dg.MaterializeResult:
    counts = {}
    with treem_home.warehouse() as con:
        con.execute("begin")
        con.execute("create schema if not exists signoff")
        for table in ledger.TABLES:
            columns, rows = ledger.table_rows(treem_home.home.root, table)
            typed = ", ".join(f"{name} {TYPES[declared.lower()]}" for name, declared in columns)
            con.execute(f"create or replace table signoff.{table} ({typed})")
            if rows:
                con.register("ledger_rows", pd.DataFrame(rows, columns=[name for name, _ in columns]))
                con.execute(f"insert into signoff.{table} select * from ledger_rows")
                con.unregister("ledger_rows")
            counts[table] = len(rows)
        con.execute("commit")
    context.log.info(f"Sổ phê duyệt: {counts['approvals']} phê duyệt, {counts['approved_figures']} số liệu")
    return dg.MaterializeResult(metadata={table: n for table, n in counts.items()})
