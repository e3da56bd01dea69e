"""Jobs: the whole graph (ingest every source, build the warehouse, publish)."""

from __future__ import annotations

import dagster as dg

TREEM_ALL_JOB = "treem_all"

treem_all_job = dg.define_asset_job(
    TREEM_ALL_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest every inbox, build and test the warehouse with dbt, publish the serving copy.",
)
