"""Proof of work in a real Chromium: with JavaScript, stories.js loads the ALTCHA widget from
the site's own files once the reader starts on the form, the widget solves the intake's
challenge, and the story carries the solution, which the spam score weighs; without JavaScript
the same form sends the story without one, and it is taken like any other."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page
from stories_support import make_config
from test_intake import make_settings, serve_site
from test_intake_browser import write_article_site

from reader_stories.moderation import held
from reader_stories.store import open_store
from reader_stories.web.intake.app import create_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
WIDGET = ROOT / "stories" / "reader_stories" / "static" / "altcha.min.js"
# Spam phrasing, so the story is held and its reasons can be read from the bin.
PROMOTION = "Check out my channel and subscribe to my page for daily career advice, friends."


@pytest.fixture
def base(tmp_path: Path, db_url: str) -> Iterator[str]:
    site = write_article_site(tmp_path / "site")
    shutil.copy(WIDGET, site / "theme" / "js" / "altcha.min.js")
    app = create_app(make_config(replace(make_settings(db_url), spam_threshold=3)))
    with serve_site(site, app) as url:
        yield url


def requests_leaving(page: Page, base: str) -> list[str]:
    """Every request the page makes to another host than the site's own."""
    own = urlsplit(base).netloc
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).netloc not in (own, "") and not r.url.startswith("data:")
            else None
        ),
    )
    return outside


def test_with_javascript_the_story_carries_a_solved_proof(
    page: Page, base: str, db_url: str
) -> None:
    outside = requests_leaving(page, base)
    posted: list[dict[str, str]] = []
    page.on(
        "request",
        lambda r: (
            posted.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith("/stories/")
            else None
        ),
    )
    page.goto(f"{base}/asking-for-a-raise/")
    assert page.locator("altcha-widget").count() == 0  # nothing loads before the form is used
    page.fill("#story-name", "Ada")
    page.locator("altcha-widget").evaluate(
        "widget => new Promise(done => widget.addEventListener('verified', done))"
    )
    page.fill("#story-story", PROMOTION)
    page.set_checked("#story-consent", True)
    page.get_by_role("button", name="Send my story").click()
    page.locator("#story-form-status").get_by_text("Thank you").wait_for(timeout=20_000)
    assert posted and posted[-1]["altcha"]
    with open_store(db_url) as store:
        [story] = held.listing(store)
    assert story.hold is not None
    assert "the browser solved the proof of work (-2)" in story.hold.reasons
    assert any(
        r.startswith("sent ") and "after the form was begun" in r for r in story.hold.reasons
    )
    assert outside == []  # the widget and its challenge come from the site and its intake


def test_a_story_sent_before_the_proof_is_ready_goes_without_it(
    page: Page, base: str, db_url: str
) -> None:
    page.route("**/stories/challenge*", lambda route: None)  # the challenge never comes
    page.goto(f"{base}/asking-for-a-raise/")
    page.fill("#story-name", "Ada")
    page.fill("#story-story", PROMOTION)
    page.set_checked("#story-consent", True)
    page.get_by_role("button", name="Send my story").click()
    page.locator("#story-form-status").get_by_text("Thank you").wait_for(timeout=20_000)
    with open_store(db_url) as store:
        [story] = held.listing(store)
    assert story.hold is not None
    assert not any("proof of work" in reason for reason in story.hold.reasons)


def test_without_javascript_the_same_form_is_taken_without_a_proof(
    chromium: Browser, base: str, db_path: Path, db_url: str
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{base}/asking-for-a-raise/")
        page.fill("#story-name", "Ada")
        page.fill("#story-story", PROMOTION.replace("Check out my channel and ", "Please "))
        page.set_checked("#story-consent", True)
        page.get_by_role("button", name="Send my story").click()
        page.wait_for_url("**/stories/received?article=asking-for-a-raise")
    finally:
        context.close()
    with open_store(db_url) as store:
        stories = [*store.pending(), *held.listing(store)]
    assert len(stories) == 1
    story = stories[0]
    reasons = story.hold.reasons if story.hold else ()
    assert not any("proof of work" in r for r in reasons)
