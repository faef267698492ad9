"""Launch the system Chromium through Playwright: browser downloads are not possible here."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM_ARGS = [
    "--no-sandbox",  # tests and CI run as root
    "--disable-background-networking",  # the network is closed; no update or sync pings
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
]


def chromium_path() -> Path | None:
    """CHROMIUM_PATH if set, else Debian's chromium on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return Path(configured)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def launch(playwright: Playwright) -> Browser:
    path = chromium_path()
    if path is None:
        raise RuntimeError(
            "Chromium was not found: install Debian's chromium (apt-get install chromium) "
            "or set CHROMIUM_PATH."
        )
    return playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
