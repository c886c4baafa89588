"""End-to-end harness: the app on a free localhost port, driven by Playwright in Chromium."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from buddy.extensions import db
from buddy.services.city import load_city
from buddy.web import create_app

from helpers import test_config

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
    """A real server in a thread, with CSRF on, on its own SQLite file."""
    tmp = tmp_path_factory.mktemp("live")
    os.environ.setdefault("BUDDY_INSTANCE", str(tmp / "instance"))
    app = create_app(test_config(
        tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'live.db'}", WTF_CSRF_ENABLED=True,
    ))
    with app.app_context():
        db.create_all()
        load_city(app.config["CITY"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright; skipped only when not required and missing."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("BUDDY_REQUIRE_E2E") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} but BUDDY_REQUIRE_E2E=1")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

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
