"""The dbt project as Dagster sees it; its manifest is prepared by the CLI and tests, not at import."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from treem.home import DBT_PROJECT_DIR

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

treem_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_resource() -> DbtCliResource:
    # The dbt beside this interpreter: a console script run from an unactivated venv has none on PATH.
    return DbtCliResource(project_dir=treem_dbt_project, dbt_executable=str(DBT_EXECUTABLE))


def prepare_manifest() -> Path:
    """Parse the dbt project into target/manifest.json (needs TREEM_HOME set for the profile)."""
    dbt_resource().cli(["parse", "--quiet"], target_path=treem_dbt_project.target_path).wait()
    return treem_dbt_project.manifest_path
