"""The one Definitions object: every asset, check, sensor, job and resource of treem."""

from __future__ import annotations

import dagster as dg

from base.file_modes import use_private_umask
from orchestration.assets.dbt import treem_dbt_assets
from orchestration.assets.ingestion import ingestion_assets
from orchestration.assets.publish import serving_copy
from orchestration.assets.reports import period_reports
from orchestration.assets.signoff import approved_figures
from orchestration.checks import great_expectations_suites
from orchestration.console import treem_console_logger
from orchestration.dbt_project import dbt_resource
from orchestration.jobs import treem_all_job
from orchestration.resources import HomeResource
from orchestration.run_history import write_history_fast
from orchestration.sensors import inbox_sensor

use_private_umask()  # `dagster dev -m orchestration.definitions` started without the treem command
write_history_fast()  # the run processes Dagster's daemon starts store their events as `treem run` does

defs = dg.Definitions(
    assets=[*ingestion_assets(), treem_dbt_assets, serving_copy, period_reports, approved_figures],
    asset_checks=[great_expectations_suites],
    jobs=[treem_all_job],
    sensors=[inbox_sensor],
    loggers={"console": treem_console_logger},
    resources={
        "treem_home": HomeResource(root=dg.EnvVar("TREEM_HOME")),
        "dbt": dbt_resource(),
    },
)
