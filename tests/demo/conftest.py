"""Shared demo runs (scale 0.02 takes about a second each)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from demo import generate


@pytest.fixture(scope="session")
def clean_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("clean")
    return home, generate(home, seed=7, scale=0.02, messy=0.0)


@pytest.fixture(scope="session")
def messy_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("messy")
    return home, generate(home, seed=7, scale=0.02, messy=0.2)


def as_date(value: object) -> date:
    """A date as an extract writes it: an Excel date, an ISO text or dd/mm/yyyy."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    if "-" in text:
        return date.fromisoformat(text)
    d, m, y = (int(x) for x in text.split("/"))
    return date(y, m, d)
