"""The one home folder: every process resolves its paths from ``TREEM_HOME``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def processing(self) -> Path:
        """Files taken out of the inbox by a run, until their batch commits and they are stored."""
        return self.root / "processing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving.duckdb"

    @property
    def serving_restricted(self) -> Path:
        """Child-level lists (names, protection cases): the dashboard opens them for the roles allowed."""
        return self.root / "serving_restricted.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def templates(self) -> Path:
        """Blank data-entry templates written by `treem template`."""
        return self.root / "templates"

    @property
    def generated(self) -> Path:
        """Ground truth written by the demo generator (never read by the pipeline)."""
        return self.root / "generated"

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt" / "target"

    def source_inbox(self, source: str) -> Path:
        return self.inbox / source

    def ensure(self) -> Home:
        for folder in (
            self.inbox,
            self.processing,
            self.archive,
            self.quarantine,
            self.dagster_home,
            self.reports,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def home_from_env(default: str = "data") -> Home:
    """The home folder named by ``TREEM_HOME`` (default ``./data``), as an absolute path."""
    return Home(Path(os.environ.get("TREEM_HOME", default)).expanduser().resolve())
