"""Streamlit's script runner installs each page it runs as ``sys.modules["__main__"]`` and leaves it
there; a process pool started later in the same pytest process (ingestion's readers use spawn) would
then run that page in every worker. Put the real ``__main__`` back after each dashboard test."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.dashboard.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(autouse=True)
def restore_main_module() -> Iterator[None]:
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 2000},  # Streamlit scrolls inside the page: a tall window
            locale="vi-VN",
        )
        yield context
        context.close()
