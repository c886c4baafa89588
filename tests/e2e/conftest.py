"""End-to-end harness: the app on a free localhost port, driven by Playwright in Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e_helpers import serve

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The app served on a free port with an empty city."""
    with serve(tmp_path_factory.mktemp("live")) as app:
        yield app


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright; skipped only when not required and missing."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("BUDDY_REQUIRE_E2E") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} but BUDDY_REQUIRE_E2E=1")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # screenshots are artifacts, not assertions: Playwright's wait for document.fonts.ready
    # before each one stalled a CI run once (Page.screenshot: Timeout 30000ms exceeded)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PW_TEST_SCREENSHOT_NO_FONTS_READY", "1")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def shot(request):
    """Save a screenshot of a page under test-artifacts/<test name>-<step>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
