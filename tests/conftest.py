"""Shared fixtures: one real build of the site per session, a server for it, a real browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pelicanconf import COMMENTS
from sitetools.build import build_site, load_settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "pelicanconf.py"
SITEURL = "http://127.0.0.1:8000"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def hermetic_comments(folder: Path) -> dict:
    """The site's COMMENTS settings on a story database of the test's own, never var/."""
    return {
        **COMMENTS,
        "database_url": f"sqlite:///{folder / 'comments.sqlite3'}",
        "secret_key": TEST_SECRET,
    }


@pytest.fixture(scope="session")
def site_settings() -> dict:
    return load_settings(SETTINGS, {"SITEURL": SITEURL})


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once from content/ with the development settings."""
    output = tmp_path_factory.mktemp("site")
    work = tmp_path_factory.mktemp("site-work")
    overrides = {"SITEURL": SITEURL, "CACHE_PATH": str(work / "cache")}
    build_site(SETTINGS, output, {**overrides, "COMMENTS": hermetic_comments(work)})
    return output


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    from sitetools.serve import create_app, running

    with running(create_app(built_site)) as base:
        yield base


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; skipped only on a developer machine without it."""
    from playwright.sync_api import sync_playwright

    from sitetools import browser

    if browser.chromium_path() is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                "REQUIRE_BROWSER is set but Chromium was not found (apt-get install chromium)"
            )
        pytest.skip("Chromium is not installed on this machine (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = browser.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def no_js(chromium):
    """A page of a browser with JavaScript switched off: every path must work without it."""
    context = chromium.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()
