"""Finding stories and the single-key shortcuts in a real Chromium: the filters, paging and a
bulk action without JavaScript, the shortcuts with it (off until switched on, never inside a
field or with a modifier), the keyboard alone, and axe at 0 violations at 1280 and 320 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from stories_support import FakeClock, add, make_config
from test_admin import make_settings, serve_admin
from test_admin_browser import log_in
from test_admin_workbench_browser import tab_to

from reader_stories.models import SpamScore, Status, Story
from reader_stories.store import Store
from reader_stories.web.admin.app import create_app

pytestmark = pytest.mark.browser

NETWORK = "9f8e" * 16
MAX_TABS = 60


@pytest.fixture
def stories(store: Store, clock: FakeClock) -> list[Story]:
    """27 stories by Ada (more than a page), then two by Bo from one network; newest last."""
    adas = [
        add(store, clock, name="Ada", email="ada@example.org", body_markdown=f"Offer {n} came.")
        for n in range(27)
    ]
    bos = [
        add(store, clock, name="Bo", ip_hash=NETWORK, body_markdown=f"Interview {n} went well.")
        for n in range(2)
    ]
    return adas + bos


@pytest.fixture
def base(tmp_path: Path, db_url: str, stories: list[Story]) -> Iterator[str]:
    app = create_app(make_config(make_settings(db_url)))
    with serve_admin(tmp_path / "site", app) as url:
        yield url


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def card_ids(page: Page) -> list[int]:
    ids = page.locator(".admin-list > li > article").evaluate_all("cards => cards.map(c => c.id)")
    return [int(value.removeprefix("story-")) for value in ids]


def focused_card(page: Page) -> str | None:
    return page.evaluate("() => document.activeElement.closest('.admin-story')?.id ?? null")


def test_without_javascript_filter_page_and_act_on_the_same_filtered_page(
    no_js: Page, base: str, stories: list[Story], store: Store
) -> None:
    log_in(no_js, base)
    assert no_js.locator("[data-shortcuts]").is_hidden()  # no script, no shortcuts offered
    no_js.get_by_label("Writer (name or email)").fill("ADA")
    no_js.get_by_label("Words in the story").fill("offer")
    no_js.get_by_role("button", name="Search").click()
    no_js.wait_for_url("**/admin/?status=pending*")
    assert query(no_js) == {
        "status": ["pending"],
        "writer": ["ADA"],
        "match": ["contains"],
        "text": ["offer"],
    }
    assert len(card_ids(no_js)) == 25 and stories[-1].id not in card_ids(no_js)
    no_js.get_by_role("link", name="Older").click()
    assert query(no_js)["page"] == ["2"] and query(no_js)["writer"] == ["ADA"]
    second_page = no_js.url
    assert card_ids(no_js) == [stories[1].id, stories[0].id]
    no_js.get_by_label(f"Tick story #{stories[0].id} for a bulk action").check()
    no_js.get_by_role("button", name="Mark ticked as spam").first.click()
    no_js.locator(".admin-undo").wait_for()
    assert no_js.url == second_page
    assert store.get(stories[0].id).status is Status.SPAM
    assert card_ids(no_js) == [stories[1].id]
    no_js.get_by_role("button", name=f"Undo (put story #{stories[0].id} back").click()
    no_js.locator(".admin-flash--success").wait_for()
    assert no_js.url == second_page
    assert store.get(stories[0].id).status is Status.PENDING
    no_js.get_by_role("link", name="Clear filters").click()
    assert query(no_js) == {} and len(card_ids(no_js)) == 25


def test_without_javascript_the_queue_reads_by_spam_score_from_the_form_or_the_link(
    no_js: Page, base: str, stories: list[Story], store: Store, clock: FakeClock
) -> None:
    low = add(store, clock, name="Cy", spam=SpamScore(1, ("a link (+1)",)))
    high = add(store, clock, name="Di", spam=SpamScore(4, ("spam phrasing: “x” (+4)",)))
    log_in(no_js, base)
    no_js.get_by_label("Order", exact=True).select_option(label="Highest spam score first")
    no_js.get_by_role("button", name="Search").click()
    no_js.wait_for_url("**/admin/?*order=score*")
    assert card_ids(no_js)[:2] == [high.id, low.id]  # the unscored stories after them
    card = no_js.locator(f"#story-{high.id}")
    assert "Spam score 4: spam phrasing: “x” (+4)" in " ".join(card.inner_text().split())
    order = no_js.get_by_role("navigation", name="Order of this list")
    order.get_by_role("link", name="Newest first").click()
    no_js.wait_for_url("**/admin/?status=pending")
    assert card_ids(no_js)[:2] == [high.id, low.id]  # the newest two, as it happens
    order.get_by_role("link", name="Highest spam score first").click()
    assert query(no_js) == {"status": ["pending"], "order": ["score"]}


def test_keyboard_alone_search_and_follow_a_card_to_its_network(
    no_js: Page, base: str, stories: list[Story]
) -> None:
    log_in(no_js, base)
    for _ in range(MAX_TABS):
        no_js.keyboard.press("Tab")
        if no_js.evaluate("() => document.activeElement.id") == "filter-text":
            break
    else:
        raise AssertionError("the words field cannot be reached with Tab")
    no_js.keyboard.type("interview")
    no_js.keyboard.press("Enter")  # a plain GET form: Enter in a field sends it
    no_js.wait_for_url("**text=interview*")
    assert card_ids(no_js) == [stories[-1].id, stories[-2].id]
    tab_to(no_js, f"All from network {NETWORK[:8]}", limit=MAX_TABS)
    no_js.keyboard.press("Enter")
    no_js.wait_for_url(f"**network={NETWORK}*")
    assert query(no_js) == {"status": ["all"], "network": [NETWORK]}
    assert card_ids(no_js) == [stories[-1].id, stories[-2].id]


def switch_on(page: Page) -> None:
    page.get_by_label("Keyboard shortcuts (single keys)").check()


def test_shortcuts_are_off_until_switched_on_and_remembered(
    page: Page, base: str, stories: list[Story]
) -> None:
    log_in(page, base)
    toggle = page.get_by_label("Keyboard shortcuts (single keys)")
    assert toggle.is_visible() and not toggle.is_checked()
    page.locator("body").press("j")
    assert focused_card(page) is None
    switch_on(page)
    page.reload()
    assert page.get_by_label("Keyboard shortcuts (single keys)").is_checked()
    page.locator("body").press("j")
    assert focused_card(page) == f"story-{stories[-1].id}"
    page.get_by_label("Keyboard shortcuts (single keys)").uncheck()
    page.keyboard.press("j")
    assert focused_card(page) is None  # the switch itself keeps the focus


def test_j_k_x_a_move_tick_and_approve_the_focused_story(
    page: Page, base: str, stories: list[Story], store: Store
) -> None:
    log_in(page, base)
    switch_on(page)
    newest, second = stories[-1], stories[-2]
    for key, expected in (("j", newest), ("j", second), ("k", newest), ("j", second)):
        page.keyboard.press(key)
        assert focused_card(page) == f"story-{expected.id}", key
    page.keyboard.press("x")
    assert page.get_by_label(f"Tick story #{second.id} for a bulk action").is_checked()
    assert page.locator(".admin-bulk--top [data-ticked-count]").inner_text() == "1 story ticked"
    page.keyboard.press("x")
    assert not page.get_by_label(f"Tick story #{second.id} for a bulk action").is_checked()
    page.keyboard.press("Alt+j")  # a modifier: never a shortcut
    page.keyboard.press("Shift+J")
    assert focused_card(page) == f"story-{second.id}"
    page.keyboard.press("a")
    page.locator(".admin-undo").wait_for()
    assert store.get(second.id).status is Status.APPROVED


def test_shortcuts_never_fire_inside_a_field(
    page: Page, base: str, stories: list[Story], store: Store
) -> None:
    log_in(page, base)
    switch_on(page)
    page.keyboard.press("j")
    page.keyboard.press("r")  # the focused story's reason for rejecting
    reason = page.locator(f"#reason-{stories[-1].id}")
    assert reason.evaluate("e => e === document.activeElement")
    page.keyboard.type("jaxs?")
    assert reason.input_value() == "jaxs?"
    assert page.locator("#shortcuts-help").evaluate("d => !d.open")
    writer = page.get_by_label("Writer (name or email)")
    writer.focus()
    page.keyboard.type("ja")
    assert writer.input_value() == "ja"
    page.get_by_label("Status").focus()
    page.keyboard.press("a")  # a select takes letters to choose: not a shortcut
    assert all(store.get(story.id).status is Status.PENDING for story in stories)


def test_the_list_of_shortcuts_is_a_dialog_that_gives_the_focus_back(
    page: Page, base: str, stories: list[Story]
) -> None:
    log_in(page, base)
    opener = page.get_by_role("button", name="List of shortcuts")
    opener.click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert opener.evaluate("e => e === document.activeElement")
    switch_on(page)
    page.keyboard.press("j")
    page.keyboard.press("Shift+?")
    assert dialog.is_visible()
    page.get_by_role("button", name="Close").click()
    assert dialog.is_hidden() and focused_card(page) == f"story-{stories[-1].id}"


def open_filtered(page: Page, base: str) -> None:
    log_in(page, base)
    page.goto(f"{base}/admin/?status=all&writer=ada&text=offer")
    switch_on(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violations_on_the_filtered_queue(
    chromium: Browser, base: str, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    open_filtered(page, base)
    results = Axe().run(page)
    page.get_by_role("button", name="List of shortcuts").click()
    with_dialog = Axe().run(page)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    context.close()
    assert results.violations_count == 0, results.generate_report()
    assert with_dialog.violations_count == 0, with_dialog.generate_report()
    assert widths[0] <= widths[1], widths
