"""Streamlit's script runner installs each page it runs as ``sys.modules["__main__"]`` and leaves it
there; a process pool started later in the same pytest process (ingestion's readers use spawn) would
then run that page in every worker. Put the real ``__main__`` back after each dashboard test."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def restore_main_module() -> Iterator[None]:
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
