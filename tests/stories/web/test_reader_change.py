"""A writer changes their own story with the receipt, while it waits for a moderator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import store_calls as calls
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from stories_support import FakeClock, add, make_config
from test_intake import SECRET, Served, make_settings, serve_site
from test_intake_browser import write_article_site

from reader_stories.models import Status
from reader_stories.moderation import actions as moderation
from reader_stories.settings import CommentsSettings
from reader_stories.store import Store
from reader_stories.tokens import make_receipt_token
from reader_stories.validation import MSG_NAME_EMPTY
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.change import MSG_DECIDED, MSG_GONE

NEW_TEXT = "I changed my mind about the details: the second interview went better than I said."


@contextmanager
def serving(tmp_path: Path, settings: CommentsSettings, clock: FakeClock) -> Iterator[Served]:
    """The intake on these settings, its store on the test's clock, with the site beside it."""
    app = create_app(make_config(settings), clock=clock)
    with (
        serve_site(write_article_site(tmp_path / "site"), app) as base,  # the site's stylesheet
        httpx.Client(base_url=base, timeout=20) as client,
    ):
        yield Served(base, app, settings, client)


@pytest.fixture
def served(tmp_path: Path, db_url: str, clock: FakeClock) -> Iterator[Served]:
    with serving(tmp_path, make_settings(db_url), clock) as running:
        yield running


def receipt(story_id: int) -> str:
    return make_receipt_token(SECRET, story_id)


def test_the_receipt_page_offers_the_change_while_the_story_waits(
    served: Served, store: Store
) -> None:
    story = add(store, name="Ada", body_markdown="My first try at telling this story, rushed.")
    page = served.client.get("/stories/delete", params={"receipt": receipt(story.id)})
    assert page.status_code == 200
    assert "<h1>Change or delete your story</h1>" in page.text
    assert 'value="Ada"' in page.text
    assert "My first try at telling this story, rushed.</textarea>" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


def test_a_change_is_checked_stored_and_not_marked_as_a_moderators(
    served: Served, store: Store
) -> None:
    story = add(store, name="Ada", body_markdown="My first try at telling this story, rushed.")
    answer = served.client.post(
        "/stories/change",
        data={"receipt": receipt(story.id), "name": " Ada  L. ", "story": NEW_TEXT},
    )
    assert answer.status_code == 200
    assert "Your story is changed" in answer.text
    changed = store.get(story.id)
    assert (changed.name, changed.body_markdown, changed.status) == (
        "Ada L.",
        NEW_TEXT,
        Status.PENDING,
    )
    assert "second interview" in changed.body_html and not changed.edited
    last = calls.events(store, story.id)[-1]
    assert (last.action.value, last.actor, last.note) == (
        "edited",
        "reader",
        "changed by its writer",
    )


def test_a_change_the_form_would_refuse_comes_back_with_the_text_kept(
    served: Served, store: Store
) -> None:
    story = add(store, name="Ada", body_markdown="My first try at telling this story, rushed.")
    answer = served.client.post(
        "/stories/change", data={"receipt": receipt(story.id), "name": "", "story": "Too short."}
    )
    assert answer.status_code == 422
    assert MSG_NAME_EMPTY in answer.text
    assert "Story must be at least 20 characters; yours has 10" in answer.text
    assert "Too short.</textarea>" in answer.text
    assert store.get(story.id).body_markdown == "My first try at telling this story, rushed."


def test_once_a_moderator_has_turned_it_down_the_story_can_only_be_deleted(
    served: Served, store: Store
) -> None:
    story = add(store, body_markdown="My first try at telling this story, rushed.")
    moderation.reject(store, [story.id], None)
    page = served.client.get("/stories/delete", params={"receipt": receipt(story.id)})
    assert "<h1>Delete your story?</h1>" in page.text and "textarea" not in page.text
    answer = served.client.post(
        "/stories/change", data={"receipt": receipt(story.id), "name": "Ada", "story": NEW_TEXT}
    )
    assert answer.status_code == 409
    assert MSG_DECIDED in answer.text
    assert store.get(story.id).body_markdown == "My first try at telling this story, rushed."


def test_a_tampered_receipt_or_a_deleted_story_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store, body_markdown="My first try at telling this story, rushed.")
    forged = served.client.post(
        "/stories/change", data={"receipt": receipt(story.id) + "x", "name": "A", "story": NEW_TEXT}
    )
    assert forged.status_code == 400
    moderation.delete(store, [story.id])
    gone = served.client.post(
        "/stories/change", data={"receipt": receipt(story.id), "name": "A", "story": NEW_TEXT}
    )
    assert gone.status_code == 410
    assert "already deleted" in gone.text or MSG_GONE in gone.text


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_change_in_a_browser_then_see_it_saved(
    chromium: Browser, served: Served, store: Store, scheme: str
) -> None:
    """The intake's pages run no script (their policy allows none): a plain form, as without
    JavaScript. Scripts stay on in the browser only so the test can drop the browser's own
    length check and let the server's answer show, and so axe can run."""
    story = add(store, name="Ada", body_markdown="My first try at telling this story, rushed.")
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{served.base}/stories/delete?receipt={receipt(story.id)}")
    first = Axe().run(page)
    assert first.violations_count == 0, first.generate_report()
    page.get_by_label("Your story or advice").fill("Short.")
    page.locator("#change-story").evaluate("el => el.removeAttribute('minlength')")
    page.get_by_role("button", name="Save my changes").click()
    page.locator("#change-errors").wait_for()
    errors = Axe().run(page)
    page.get_by_label("Your story or advice").fill(NEW_TEXT)
    page.get_by_role("button", name="Save my changes").click()
    page.wait_for_url("**/stories/change")
    heading = page.locator("h1").inner_text()
    context.close()
    assert errors.violations_count == 0, errors.generate_report()
    assert heading == "Your story is changed"
    assert store.get(story.id).body_markdown == NEW_TEXT
