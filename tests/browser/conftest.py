"""Real headless Chromium (Debian's `chromium`) driven by Playwright against the real server.

The server is uvicorn in a thread on a free 127.0.0.1 port, serving a corpus store built from invented
articles with the real ingest command. Screenshots go to test-artifacts/screenshots/ for a person to
look at. Without Chromium (or Playwright) every browser test is skipped, naming the command that
enables them: `make browser-deps`.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser.articles import build_store

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
#: The one command that installs what these tests need (Debian's Chromium; Playwright comes with [dev]).
ENABLE = "enable them with: make browser-deps"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    db: Path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    import uvicorn

    from sourcetrace.web import WebSettings, create_app

    db = build_store(tmp_path_factory.mktemp("browser-corpus"))
    app = create_app(WebSettings(db=db, rate_limit=0))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # start-up loads the model
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", db)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip(f"Chromium is not installed: browser tests skipped ({ENABLE})")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason=f"Playwright is not installed: browser tests skipped ({ENABLE})")
    executable = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page plus what it reported: dialogs opened (alert/confirm: must stay empty), console errors."""

    page: object
    base: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def pwned(self) -> object:
        return self.page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")


@pytest.fixture
def tab(chromium, live_server) -> Iterator[Tab]:
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    result = Tab(page, live_server.url)

    def on_dialog(dialog) -> None:
        result.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: result.errors.append(str(exc)))
    try:
        yield result
    finally:
        context.close()
