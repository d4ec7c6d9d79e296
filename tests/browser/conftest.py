"""Browser fixtures: Debian's Chromium driven by Playwright's sync API, headless.

``browser_page`` is a fresh page (its own context: no cookies shared between tests) of a browser
started once per session. Use it with pytest-django's ``live_server`` and ``transactional_db``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium_browser():
    """One browser per test: Playwright's event loop must not outlive the test, or Django's async
    guard would trip in every ORM call of the tests after it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _allow_sync_orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop in this thread; the ORM calls a test makes between
    page actions are still synchronous, so Django's async guard would refuse them wrongly. Set per
    test (not per session): a leaked value makes `check --deploy` fail in later tests."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page(chromium_browser):
    """A new page, 1400×1000, whose console errors and uncaught exceptions are collected in
    ``page.console_errors``."""
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.console_errors = []

    def on_console(msg) -> None:
        # Browsers ask for /favicon.ico on their own; its 404 is not the page's error.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            page.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def log_in(browser_page, live_server):
    """``log_in(username, next_path)``: through the login form, then wait for ``next_path`` to load."""

    def go(username: str, next_path: str = "/", password: str = "pw-for-tests-only") -> None:
        page = browser_page
        page.goto(f"{live_server.url}/login/?next={next_path}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit]")

    return go
