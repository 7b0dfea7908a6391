"""Browser fixtures: the app served on a free local port, Debian's Chromium driven by Playwright,
pages with JavaScript on and off, and an axe-core check."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("HWAAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(os.path.dirname(__file__)):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """pytest-flask's live server interface (`app`, `url()`), served from a thread of this process
    rather than a forked one, so that what a test sets on `app.config` (a pinned HWAAS_TODAY) reaches
    the server too (docs/decisions.md, Tests)."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="session")
def live_server(app):
    """The app on 127.0.0.1, sharing the tests' database; replaces pytest-flask's fixture of that name."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(chromium, live_server, **options):
    context = chromium.new_context(base_url=live_server.url(), viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(chromium, live_server):
    """A page with JavaScript on."""
    context, page = _page(chromium, live_server)
    yield page
    context.close()


@pytest.fixture
def nojs_page(chromium, live_server):
    """A page with JavaScript off: every flow must work here too."""
    context, page = _page(chromium, live_server, java_script_enabled=False)
    yield page
    context.close()
