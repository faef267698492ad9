"""A story sent from a form a browser kept after its article's stories were closed, in a real
Chromium: with stories.js the refusal shows in place and the text stays in the form; without,
a page gives the text back. axe finds nothing on that page, light or dark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from stories_support import make_config
from test_intake import SLUG, STORY, make_settings, serve_site, statuses
from test_intake_browser import fill, send, write_article_site

from reader_stories.store import Store
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.closed import MSG_CLOSED

pytestmark = pytest.mark.browser


@pytest.fixture
def base(tmp_path: Path, db_url: str, store: Store) -> Iterator[str]:
    with store.writing() as tx:
        tx.close_article(SLUG, actor="moderator")
    app = create_app(make_config(make_settings(db_url)))
    with serve_site(write_article_site(tmp_path / "site"), app) as url:
        yield url


def test_with_javascript_the_refusal_shows_in_place_and_the_text_stays(
    page: Page, base: str, db_path: Path
) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page)
    send(page)
    page.locator("#story-form-status").filter(has_text=MSG_CLOSED).wait_for()
    assert page.url == f"{base}/{SLUG}/"
    assert page.input_value("#story-story") == STORY
    assert statuses(db_path) == []


def closed_page(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, STORY + " Kept for later.")
    send(page)
    page.get_by_role("heading", name="Stories are closed on this article").wait_for()


def test_without_javascript_a_page_gives_the_text_back(
    chromium: Browser, base: str, db_path: Path
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        closed_page(page, base)
        assert page.input_value("#kept-story") == STORY + " Kept for later."
        assert page.get_by_label("Your story, signed Ada, as you typed it").is_visible()
        page.get_by_role("link", name="Go back to the article and read its stories").click()
        page.wait_for_url(f"{base}/{SLUG}/#stories")
    finally:
        context.close()
    assert statuses(db_path) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_closed_page(
    chromium: Browser, base: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/{SLUG}/")
    fill(page)
    with page.expect_navigation():  # axe needs scripts on: the form is sent past stories.js
        page.evaluate("() => document.getElementById('story-form').submit()")
    page.get_by_role("heading", name="Stories are closed on this article").wait_for()
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()
