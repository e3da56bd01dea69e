"""The warehouse connection the ingestion tests load into: a home's warehouse with every raw table."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.contract import load_contracts
from ingestion.registry import ensure_raw_schema


@pytest.fixture
def con(home):
    connection = duckdb.connect(str(home.warehouse))
    ensure_raw_schema(connection, list(load_contracts().values()))
    yield connection
    connection.close()
