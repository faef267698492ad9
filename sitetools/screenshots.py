"""README screenshots taken by headless Chromium, so they can be refreshed after theme changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

from sitetools import browser
from sitetools.serve import create_app, running


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    width: int
    height: int
    dark: bool = False


SHOTS = (
    Shot("home-desktop", "/", 1280, 900),
    Shot("article-desktop", "/handling-job-rejection/", 1280, 900),
    Shot("article-mobile", "/handling-job-rejection/", 320, 640),
    Shot("home-mobile", "/", 320, 640),
    Shot("article-dark", "/handling-job-rejection/", 1280, 900, dark=True),
)


def take_screenshots(site: Path, destination: Path, shots: tuple[Shot, ...] = SHOTS) -> list[Path]:
    """Serve `site` on a free port and save one PNG per shot into `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    with running(create_app(site)) as base, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        try:
            for shot in shots:
                context = chromium.new_context(
                    viewport={"width": shot.width, "height": shot.height},
                    color_scheme="dark" if shot.dark else "light",
                )
                page = context.new_page()
                page.goto(base + shot.path)
                target = destination / f"{shot.name}.png"
                page.screenshot(path=str(target))
                context.close()
                written.append(target)
        finally:
            chromium.close()
    return written
