"""A writer changes their published story with the receipt, within the window: the change waits
for a moderator and the published story stays as it was until one approves it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from stories_support import FakeClock, add
from test_intake import Served, make_settings
from test_reader_change import receipt, served, serving  # noqa: F401 (the fixture)

from reader_stories.moderation import actions as moderation
from reader_stories.pages.templates import long_date
from reader_stories.store import Store
from reader_stories.validation import MSG_NAME_EMPTY
from reader_stories.web.intake.change import MSG_NO_CHANGES, TITLE_CLOSED, msg_closed

FIRST = "The interview went badly and I said nothing useful at all."
SECOND = "The second interview went well, and I said what I meant."


def published(store: Store) -> int:
    story = add(store, name="Ada", body_markdown=FIRST)
    moderation.approve(store, [story.id])
    return story.id


def waiting_change(store: Store, story_id: int) -> tuple[str, str] | None:
    with store.reading() as tx:
        revision = tx.revision(story_id)
    return None if revision is None else (revision.name, revision.body_markdown)


def test_the_receipt_page_offers_a_change_for_the_moderator(
    served: Served,  # noqa: F811
    store: Store,
    clock: FakeClock,
) -> None:
    story_id = published(store)
    clock.advance(hours=2)
    page = served.client.get("/stories/delete", params={"receipt": receipt(story_id)})
    assert page.status_code == 200
    assert "<h1>Change or delete your story</h1>" in page.text
    assert "Change your published story" in page.text
    assert "a moderator reads the change first" in page.text
    approved_at = store.get(story_id).approved_at
    assert approved_at is not None
    deadline = approved_at + timedelta(hours=24)
    assert f"Until {long_date(deadline)}, {deadline:%H:%M} UTC you can still change it" in page.text
    assert f"{FIRST}</textarea>" in page.text
    assert "A change is waiting" not in page.text


def test_a_change_waits_and_the_published_story_stays(
    served: Served,  # noqa: F811
    store: Store,
) -> None:
    story_id = published(store)
    answer = served.client.post(
        "/stories/change", data={"receipt": receipt(story_id), "name": "Ada L.", "story": SECOND}
    )
    assert answer.status_code == 200
    assert "<h1>Your change waits for a moderator</h1>" in answer.text
    assert store.get(story_id).body_markdown == FIRST
    assert waiting_change(store, story_id) == ("Ada L.", SECOND)
    page = served.client.get("/stories/delete", params={"receipt": receipt(story_id)})
    assert "A change is waiting for a moderator" in page.text
    assert "<p>The second interview went well, and I said what I meant.</p>" in page.text
    assert f"{SECOND}</textarea>" in page.text and 'value="Ada L."' in page.text
    again = "A third try: the second interview went well, and so did the third."
    served.client.post(
        "/stories/change", data={"receipt": receipt(story_id), "name": "Ada", "story": again}
    )
    assert waiting_change(store, story_id) == ("Ada", again)


def test_a_change_that_breaks_the_rules_comes_back_and_stores_nothing(
    served: Served,  # noqa: F811
    store: Store,
) -> None:
    story_id = published(store)
    answer = served.client.post(
        "/stories/change", data={"receipt": receipt(story_id), "name": "", "story": "Too short."}
    )
    assert answer.status_code == 422
    assert MSG_NAME_EMPTY in answer.text and "Too short.</textarea>" in answer.text
    assert "Change your published story" in answer.text
    assert waiting_change(store, story_id) is None
    assert store.get(story_id).body_markdown == FIRST


def test_after_the_window_the_story_can_only_be_deleted(
    served: Served,  # noqa: F811
    store: Store,
    clock: FakeClock,
) -> None:
    story_id = published(store)
    clock.advance(hours=24, seconds=1)
    page = served.client.get("/stories/delete", params={"receipt": receipt(story_id)})
    assert "<h1>Delete your story?</h1>" in page.text and "textarea" not in page.text
    assert "your story can no longer be changed" in page.text
    assert "You can still delete it." in page.text
    answer = served.client.post(
        "/stories/change", data={"receipt": receipt(story_id), "name": "Ada", "story": SECOND}
    )
    assert answer.status_code == 409
    assert TITLE_CLOSED in answer.text and msg_closed(24) in answer.text
    assert waiting_change(store, story_id) is None
    # Even a change the rules would refuse gets the same clear answer: the time is what counts.
    late = served.client.post(
        "/stories/change", data={"receipt": receipt(story_id), "name": "", "story": "x"}
    )
    assert late.status_code == 409 and msg_closed(24) in late.text


def test_with_the_window_switched_off_published_stories_are_not_changed(
    tmp_path: Path, db_url: str, store: Store, clock: FakeClock
) -> None:
    story_id = published(store)
    with serving(tmp_path, make_settings(db_url, edit_window_hours=0), clock) as off:
        page = off.client.get("/stories/delete", params={"receipt": receipt(story_id)})
        answer = off.client.post(
            "/stories/change", data={"receipt": receipt(story_id), "name": "A", "story": SECOND}
        )
    assert "Published stories cannot be changed here." in page.text
    assert answer.status_code == 409 and MSG_NO_CHANGES in answer.text
    assert waiting_change(store, story_id) is None


def test_deleting_the_story_takes_the_waiting_change_with_it(
    served: Served,  # noqa: F811
    store: Store,
) -> None:
    story_id = published(store)
    served.client.post(
        "/stories/change", data={"receipt": receipt(story_id), "name": "Ada", "story": SECOND}
    )
    deleted = served.client.post("/stories/delete", data={"receipt": receipt(story_id)})
    assert deleted.status_code == 200
    with store.reading() as tx:
        assert tx.find(story_id) is None and tx.revisions_waiting() == []


def test_a_tampered_receipt_changes_nothing(
    served: Served,  # noqa: F811
    store: Store,
) -> None:
    story_id = published(store)
    forged = served.client.post(
        "/stories/change",
        data={"receipt": receipt(story_id) + "x", "name": "Ada", "story": SECOND},
    )
    assert forged.status_code == 400 and "not valid" in forged.text
    assert waiting_change(store, story_id) is None


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_changing_a_published_story_in_a_browser(
    chromium: Browser,
    served: Served,  # noqa: F811
    store: Store,
    javascript: bool,
) -> None:
    """The receipt page is a plain form whatever the browser runs; axe checks it with a change
    waiting (scripts are needed for axe, so it runs on the JavaScript pass)."""
    story_id = published(store)
    context = chromium.new_context(java_script_enabled=javascript, bypass_csp=javascript)
    page = context.new_page()
    page.goto(f"{served.base}/stories/delete?receipt={receipt(story_id)}")
    page.get_by_label("Your story or advice").fill(SECOND)
    page.get_by_role("button", name="Send my change to a moderator").click()
    page.wait_for_url("**/stories/change")
    heading = page.locator("h1").inner_text()
    page.get_by_role("link", name="Change or delete it again").click()
    waiting = page.get_by_role("heading", name="A change is waiting for a moderator")
    shown = waiting.is_visible()
    report = Axe().run(page) if javascript else None
    context.close()
    assert heading == "Your change waits for a moderator" and shown
    assert report is None or report.violations_count == 0, report.generate_report()
    assert waiting_change(store, story_id) == ("Ada", SECOND)
    assert store.get(story_id).body_markdown == FIRST
