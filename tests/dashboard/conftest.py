"""The headless Chromium of the browser tests (the ``__main__`` each AppTest leaves is put back by
tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.dashboard.browser import CHROMIUM, CHROMIUM_ARGS


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
