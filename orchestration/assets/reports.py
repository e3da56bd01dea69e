"""The plan's periodic report workbooks, rebuilt from each new serving copy (reads only that copy, so it
runs outside the warehouse's one-writer pool)."""

import dagster as dg

from orchestration.resources import HomeResource
from reports.build import build_all


@dg.asset(
    key="period_reports",
    group_name="publish",
    description="Excel workbooks of every report period of the calendar that the data covers (district "
    "edition and one per ward) in the home folder's reports/<period>/; only those whose figures changed "
    "are written again.",
    deps=["serving_copy"],
    kinds={"excel"},
)
def period_reports(context: dg.AssetExecutionContext, treem_home: HomeResource) -> dg.MaterializeResult:
    home = treem_home.home
    built = build_all(home.serving, home.reports, progress=context.log.info, home=home)
    if built.skipped:
        context.log.info("Chưa đủ số liệu, chưa lập báo cáo: " + ", ".join(built.skipped))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(home.reports)),
            "files": len(built.written),
            "files_unchanged": len(built.unchanged),  # figures as when last written: left alone
            "periods": sorted({p.parent.name for p in built.written}),
            "periods_without_data": built.skipped,
        }
    )
