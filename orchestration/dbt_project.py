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


PARSE_OUTPUTS = ("target", "logs", "dbt_packages")


def _newest_project_file() -> float:
    return max(
        p.stat().st_mtime
        for p in Path(DBT_PROJECT_DIR).rglob("*")
        if p.is_file() and p.relative_to(DBT_PROJECT_DIR).parts[0] not in PARSE_OUTPUTS
    )


def prepare_manifest() -> Path:
    """Parse the dbt project into target/manifest.json (needs TREEM_HOME set for the profile), unless
    the manifest is newer than every file of the project: parsing costs seconds on every run."""
    manifest = treem_dbt_project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_project_file():
        return manifest
    dbt_resource().cli(["parse", "--quiet"], target_path=treem_dbt_project.target_path).wait()
    return manifest
