"""The queue's bulk work in a real Chromium, with JavaScript and without, from the keyboard
alone, and axe at 0 violations on the new pages and states."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from stories_support import FakeClock, add, make_config
from test_admin import make_settings, serve_admin
from test_admin_browser import log_in

from reader_stories.models import Status, Story
from reader_stories.store import Store
from reader_stories.web.admin.app import create_app

pytestmark = pytest.mark.browser

MAX_TABS = 40


@pytest.fixture
def queue(store: Store, clock: FakeClock) -> list[Story]:
    """Three pending stories, newest last; one has a link whose text is not its target."""
    return [
        add(store, clock, name="Ada", body_markdown="Ten rejections, then the right offer came."),
        add(store, clock, name="Bo", body_markdown="See [my notes](https://notes.example/a) too."),
        add(store, clock, name="Cy", body_markdown="Line one.\n\nLine two of the story here."),
    ]


@pytest.fixture
def base(tmp_path: Path, db_url: str, queue: list[Story]) -> Iterator[str]:
    app = create_app(make_config(make_settings(db_url)))
    with serve_admin(tmp_path / "site", app) as url:
        yield url


def box(page: Page, story: Story):
    return page.get_by_label(f"Tick story #{story.id} for a bulk action")


def count_text(page: Page) -> str:
    return page.locator(".admin-bulk--top [data-ticked-count]").inner_text()


def test_with_javascript_the_count_is_live_and_tick_all_needs_no_reload(
    page: Page, base: str, queue: list[Story]
) -> None:
    log_in(page, base)
    assert count_text(page) == "0 stories ticked"
    assert page.locator(".admin-bulk--top [data-ticked-count]").get_attribute("aria-live") == (
        "polite"
    )
    box(page, queue[0]).check()
    assert count_text(page) == "1 story ticked"
    box(page, queue[2]).check()
    assert count_text(page) == "2 stories ticked"
    url = page.url
    page.get_by_role("button", name="Tick all 3 on this page").first.click()
    assert count_text(page) == "3 stories ticked" and page.url == url
    assert all(box(page, story).is_checked() for story in queue)
    page.get_by_role("button", name="Untick all").last.click()
    assert count_text(page) == "0 stories ticked"
    assert not any(box(page, story).is_checked() for story in queue)


def test_with_javascript_enter_on_a_tick_box_does_nothing(
    page: Page, base: str, queue: list[Story], store: Store
) -> None:
    log_in(page, base)
    box(page, queue[1]).check()
    box(page, queue[1]).press("Enter")
    page.wait_for_timeout(300)  # bounds the wait for a navigation that must not come
    assert page.locator(".admin-flash").count() == 0
    assert box(page, queue[1]).is_checked() and count_text(page) == "1 story ticked"
    assert store.get(queue[1].id).status is Status.PENDING


def test_without_javascript_enter_on_a_tick_box_keeps_the_ticks(
    no_js: Page, base: str, queue: list[Story], store: Store
) -> None:
    log_in(no_js, base)
    assert no_js.locator("[data-ticked-count]").first.is_hidden()  # no script: no stale count
    box(no_js, queue[0]).check()
    box(no_js, queue[2]).check()
    box(no_js, queue[2]).press("Enter")
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert "choose what to do with the 2 ticked stories" in flash.inner_text()
    assert box(no_js, queue[0]).is_checked() and box(no_js, queue[2]).is_checked()
    assert not box(no_js, queue[1]).is_checked()
    assert all(store.get(s.id).status is Status.PENDING for s in queue)


def test_without_javascript_tick_all_then_spam_then_undo(
    no_js: Page, base: str, queue: list[Story], store: Store
) -> None:
    log_in(no_js, base)
    no_js.get_by_role("button", name="Tick all 3 on this page").first.click()
    no_js.locator(".admin-flash").wait_for()
    assert all(box(no_js, story).is_checked() for story in queue)
    no_js.get_by_role("button", name="Mark ticked as spam").last.click()
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert all(store.get(s.id).status is Status.SPAM for s in queue)
    assert no_js.locator(".admin-empty").inner_text() == "No stories are waiting for moderation."
    flash.get_by_role("button", name="Undo").click()
    no_js.locator(".admin-list").wait_for()
    assert all(store.get(s.id).status is Status.PENDING for s in queue)
    assert "back to pending" in no_js.locator(".admin-flash").inner_text()


def test_without_javascript_a_conflict_keeps_the_ticks(
    no_js: Page, base: str, queue: list[Story], store: Store
) -> None:
    from store_calls import set_status

    log_in(no_js, base)
    box(no_js, queue[0]).check()
    box(no_js, queue[1]).check()
    set_status(store, queue[1].id, Status.REJECTED, actor="another moderator")
    no_js.get_by_role("button", name="Approve ticked").first.click()
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert "moderated meanwhile" in flash.inner_text()
    assert box(no_js, queue[0]).is_checked()
    assert store.get(queue[0].id).status is Status.PENDING


def test_without_javascript_bulk_delete_asks_first(
    no_js: Page, base: str, queue: list[Story], store: Store
) -> None:
    log_in(no_js, base)
    box(no_js, queue[0]).check()
    box(no_js, queue[2]).check()
    no_js.get_by_role("button", name="Delete ticked…").first.click()
    no_js.get_by_role("heading", name="Delete 2 stories?").wait_for()
    assert store.get(queue[0].id).status is Status.PENDING
    no_js.get_by_role("button", name="Delete 2 stories for good").click()
    no_js.locator(".admin-flash").wait_for()
    assert [s.id for s in store.pending()] == [queue[1].id]


def tab_to(page: Page, name: str, limit: int = MAX_TABS) -> int:
    """Tab until the focused element's text is ``name``; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and " ".join(focused.inner_text().split()) == name:
            return presses
    raise AssertionError(f"{name!r} cannot be reached within {limit} presses of Tab")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_alone_tick_approve_and_undo(
    chromium: Browser, base: str, queue: list[Story], store: Store, javascript: bool
) -> None:
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, base)
        newest = queue[-1]
        page.locator(f"#pick-{newest.id}").focus()
        page.keyboard.press("Space")
        # Back up to the top bar: the buttons are a few presses away, not a page of stories.
        presses = 0
        while " ".join(page.locator(":focus").inner_text().split()) != "Approve ticked":
            page.keyboard.press("Shift+Tab")
            presses += 1
            assert presses <= 10, "the bulk buttons above the list are too far away"
        page.keyboard.press("Enter")
        flash = page.locator(".admin-flash")
        flash.wait_for()
        assert store.get(newest.id).status is Status.APPROVED
        tab_to(page, f"Undo (put story #{newest.id} back in the pending queue)")
        page.keyboard.press("Enter")
        page.locator(f"#pick-{newest.id}").wait_for()
        assert store.get(newest.id).status is Status.PENDING
    finally:
        context.close()


def open_ticked(page: Page, base: str) -> None:
    log_in(page, base)
    page.get_by_role("button", name="Tick all 3 on this page").first.click()


def open_undo(page: Page, base: str) -> None:
    log_in(page, base)
    page.locator("input[name=ids]").first.check()
    page.get_by_role("button", name="Approve ticked").first.click()
    page.locator(".admin-undo").wait_for()


def open_delete_many(page: Page, base: str) -> None:
    open_ticked(page, base)
    page.get_by_role("button", name="Delete ticked…").last.click()
    page.wait_for_url(f"{base}/admin/bulk")


PAGES: dict[str, Callable[[Page, str], None]] = {
    "ticked": open_ticked,
    "undo": open_undo,
    "delete-many": open_delete_many,
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_on_the_workbench(
    chromium: Browser, base: str, name: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    PAGES[name](page, base)
    page.wait_for_load_state("load")
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("name", list(PAGES))
def test_at_320_px_the_workbench_does_not_scroll_sideways(
    chromium: Browser, base: str, name: str
) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    PAGES[name](page, base)
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    context.close()
    assert widths[0] <= widths[1], widths


def test_keyboard_alone_without_javascript_the_name_is_edited_under_the_rules(
    no_js: Page, base: str, queue: list[Story], store: Store
) -> None:
    story = queue[0]
    log_in(no_js, base)
    no_js.goto(f"{base}/admin/stories/{story.id}/edit")
    no_js.locator("#name").focus()
    no_js.keyboard.press("Control+A")
    no_js.keyboard.type("Next Round editors")
    no_js.keyboard.press("Enter")  # sends the edit form
    summary = no_js.locator("#error-summary")
    summary.wait_for()
    assert summary.evaluate("e => e === document.activeElement")  # focused on arrival
    assert "must not be or contain “Next Round editors”" in summary.inner_text()
    assert store.get(story.id).name == "Ada"
    no_js.locator("#name").focus()
    no_js.keyboard.press("Control+A")
    no_js.keyboard.type("A. L.")
    tab_to(no_js, "Save the edit")
    no_js.keyboard.press("Enter")
    no_js.locator(".admin-flash").wait_for()
    assert store.get(story.id).name == "A. L."


def test_a_link_target_is_shown_beside_its_text(page: Page, base: str, queue: list[Story]) -> None:
    log_in(page, base)
    card = page.locator(f"#story-{queue[1].id}")
    target = card.locator(".admin-link-target")
    assert target.is_visible()
    assert target.inner_text() == "(links to https://notes.example/a)"
    assert card.get_by_role("link", name="my notes").get_attribute("rel") == "nofollow ugc noopener"
