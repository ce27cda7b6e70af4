"""``python -m tests.operator.screenshot [PATH]``: the README's dashboard screenshot (docs/dashboard.png).

Starts an emulator, fills it with :func:`tests.operator.scenario.populate`, opens the dashboard in headless
Chromium, unfolds one service's history and saves a full-page screenshot.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pulumi_alicloud_ai.emulator import EmulatorConfig, serve_in_thread
from tests.operator.browser import browser_page, missing
from tests.operator.scenario import populate


def take(path: Path) -> None:
    """Write the screenshot to ``path``."""
    with serve_in_thread(EmulatorConfig()) as emulator, browser_page(1280, 900) as page:
        populate(emulator)
        page.goto(f"{emulator.url}/_emulator/ui")
        page.locator('tr.entity[data-name="chat_llm"] + tr.more details summary').click()
        page.screenshot(path=str(path), full_page=True)


if __name__ == "__main__":
    why = missing()
    if why:
        sys.exit(f"cannot take the screenshot: {why}")
    take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png"))
