"""Headless Chromium for the dashboard tests: Debian's ``chromium`` driven by Playwright's Python package.

No browser is ever downloaded: Playwright launches the system binary through ``executable_path``
(``./scripts/test`` installs the ``chromium`` package when it can). Without either, tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium reaches out to the internet on start (updates, sync, field trials).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system Chromium (``ALICLOUD_AI_CHROMIUM`` overrides the search)."""
    configured = os.environ.get("ALICLOUD_AI_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return "Chromium is not installed (apt-get install chromium; ./scripts/test does it as root)"
    return None


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A Playwright page in headless system Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert executable is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
