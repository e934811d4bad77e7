"""Headless Chromium for the tests: Debian's browser driven by Playwright, network blocked.

Playwright never downloads a browser here: it drives ``/usr/bin/chromium``, which
``scripts/ensure-chromium`` installs (``make test`` runs it). Without it the browser
tests skip locally with the reason, and fail under CI (``CI`` set), where a silent
skip would hide that maps were never checked in a browser.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: URL schemes a self-contained page may use: itself and inline data.
LOCAL_SCHEMES = ("file:", "data:", "about:")


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_chromium() -> None:
    """Skip (locally) or fail (under CI) when the browser or Playwright is missing."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent: run scripts/ensure-chromium (make test does)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason is None:
        return
    if under_ci():
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (Playwright ``Browser``), closed on exit."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageLog:
    """What a page did: every request, console error, uncaught error and dialog."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


def open_offline(browser, path: Path, width: int = 1100, height: int = 800):
    """Open a local HTML file with every non-local request aborted: (page, log).

    Requests are recorded before routing, so an attempt shows up in the log even
    though it never leaves the machine. Dialogs (``alert``...) are recorded and
    dismissed so that a payload that fires one cannot block the test.
    """
    log = PageLog()
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("request", lambda request: log.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and log.errors.append(message.text))
    page.on("pageerror", lambda error: log.errors.append(str(error)))

    def on_dialog(dialog) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(LOCAL_SCHEMES) else route.abort())
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, log
