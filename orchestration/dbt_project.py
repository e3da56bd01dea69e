"""The dbt project as Dagster sees it; its manifest is prepared by the CLI and tests, not at import."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from base.home import DBT_PROJECT_DIR

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

treem_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class TreemDbtCli(DbtCliResource):
    """dagster-dbt's resource without two start-up costs it pays on every dbt command, in series
    before dbt starts (3.7 s of a run on the idle 2-core machine, 7 s on a slow day):

    - it runs `dbt --version` in a new process to learn the version of `dbt_executable`, which is
      the dbt beside this interpreter, so dbt-core's own package version;
    - it builds a dbt adapter in the run process, used only to fetch row counts and column metadata
      after the build (`fetch_row_counts()`, `fetch_column_metadata()`), which treem never asks for.
    tests/orchestration/test_dbt_resource.py checks that both are what dagster-dbt still calls."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> TreemDbtCli:
    # The dbt beside this interpreter: a console script run from an unactivated venv has none on PATH.
    return TreemDbtCli(project_dir=treem_dbt_project, dbt_executable=str(DBT_EXECUTABLE))


PARSE_OUTPUTS = ("target", "logs", "dbt_packages")


def project_fingerprint() -> str:
    """What the manifest is parsed from: every project file's path, size and modification time (a
    model added, changed, renamed or removed changes it), and the dbt version."""
    digest = hashlib.sha256(version("dbt-core").encode())
    for path in sorted(Path(DBT_PROJECT_DIR).rglob("*")):
        relative = path.relative_to(DBT_PROJECT_DIR)
        if path.is_file() and relative.parts[0] not in PARSE_OUTPUTS:
            stat = path.stat()
            digest.update(f"{relative.as_posix()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def prepare_manifest() -> Path:
    """Parse the dbt project into target/manifest.json (needs TREEM_HOME set for the profile), unless
    it was parsed from the project as it is now: parsing costs seconds on every run."""
    manifest = treem_dbt_project.manifest_path
    stamp = manifest.with_name("treem-manifest-fingerprint.txt")
    fingerprint = project_fingerprint()
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return manifest
    dbt_resource().cli(["parse", "--quiet"], target_path=treem_dbt_project.target_path).wait()
    stamp.write_text(fingerprint)
    return manifest
