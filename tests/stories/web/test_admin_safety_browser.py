"""The safety pages in a real Chromium: a writer's page and its block, Unblock, the hold list
and closing an article, with JavaScript and without, from the keyboard alone, and axe at 0
violations in light and dark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from stories_support import FakeClock, add, make_config
from test_admin import make_settings, serve_admin
from test_admin_browser import log_in

from reader_stories.models import Story
from reader_stories.store import Store
from reader_stories.store.blocks import BlockKind, TermKind
from reader_stories.web.admin.app import create_app

pytestmark = pytest.mark.browser

MAX_TABS = 60


@pytest.fixture
def writer(store: Store, clock: FakeClock) -> list[Story]:
    """Two stories by one writer (same address, then same network), and a stranger's."""
    first = add(store, clock, name="Ayo", email="ayo@example.com", notify=True, ip_hash="a" * 64)
    add(store, clock, name="Zed", ip_hash="z" * 64, body_markdown="A stranger writes here too.")
    second = add(store, clock, name="Ayo", ip_hash="a" * 64, body_markdown="Ayo again, later on.")
    with store.writing() as tx:
        tx.add_block(BlockKind.NETWORK, "x" * 64, until=None, note="old bot", actor="moderator")
        tx.add_block(BlockKind.NETWORK, "y" * 64, until=clock(), note="", actor="moderator")
        tx.add_listed_term(TermKind.WORD, "casino", actor="moderator")
        tx.add_listed_term(TermKind.DOMAIN, "bit.ly", actor="moderator")
        tx.close_article("asking-for-a-raise", actor="moderator")
    return [first, second]


@pytest.fixture
def base(tmp_path: Path, db_url: str, writer: list[Story]) -> Iterator[str]:
    app = create_app(make_config(make_settings(db_url)))
    with serve_admin(tmp_path / "site", app) as url:
        yield url


def tab_to(page: Page, name: str, limit: int = MAX_TABS) -> None:
    """Tab until the focused element's text (or its label) is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and name in (
            " ".join(focused.inner_text().split()),
            focused.evaluate("e => e.labels && e.labels.length ? e.labels[0].innerText : ''"),
        ):
            return
    raise AssertionError(f"{name!r} cannot be reached within {limit} presses of Tab")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_alone_from_a_story_card_to_the_writers_page_and_a_block_for_a_day(
    chromium: Browser,
    base: str,
    writer: list[Story],
    store: Store,
    clock: FakeClock,
    javascript: bool,
) -> None:
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, base)
        page.locator(f"#story-{writer[1].id} a[href$='/writers/{writer[1].id}']").focus()
        page.keyboard.press("Enter")
        page.get_by_role(
            "heading", name=f"Stories by the writer of story #{writer[1].id}"
        ).wait_for()
        rows = page.locator("table tbody tr")
        assert rows.count() == 2  # both of Ayo's, not the stranger's
        tab_to(page, "for a week")
        page.keyboard.press("ArrowUp")  # the radio group: a week -> a day
        assert page.get_by_label("for a day").is_checked()
        tab_to(page, "Note for the moderators (optional; no personal details)")
        page.keyboard.type("copy-paste spam")
        tab_to(page, "Block this writer")
        page.keyboard.press("Enter")
        flash = page.locator(".admin-flash")
        flash.wait_for()
        assert "Block #3: by network, until" in flash.inner_text()
        with store.reading() as tx:
            block = tx.active_block(BlockKind.NETWORK, "a" * 64)
        assert block is not None and block.until == block.blocked_at + timedelta(days=1)
        assert block.note == "copy-paste spam"
        assert page.get_by_role("heading", name="Blocked now").is_visible()
    finally:
        context.close()


def test_without_javascript_unblock_from_the_blocks_page(
    no_js: Page, base: str, store: Store
) -> None:
    log_in(no_js, base)
    no_js.get_by_role("link", name="Blocks").click()
    no_js.get_by_role("heading", name="Blocked writers").wait_for()
    assert no_js.locator("caption").all_inner_texts() == [
        "Active blocks (1)",
        "Expired and lifted blocks (1)",
    ]
    no_js.get_by_role("button", name="Unblock (block #1)").click()
    no_js.locator(".admin-flash").wait_for()
    assert (
        no_js.locator(".admin-flash")
        .inner_text()
        .endswith("Block #1 lifted (by network, for good).")
    )
    with store.reading() as tx:
        assert tx.active_block(BlockKind.NETWORK, "x" * 64) is None


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_alone_add_a_domain_to_the_hold_list_and_remove_a_word(
    chromium: Browser, base: str, store: Store, javascript: bool
) -> None:
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, base)
        page.goto(f"{base}/admin/hold-list")
        tab_to(page, "a word or phrase")
        page.keyboard.press("ArrowDown")  # -> a link domain
        tab_to(page, "Word, phrase or domain")
        page.keyboard.type("https://Spam.example/offer")
        page.keyboard.press("Enter")
        page.locator(".admin-flash").wait_for()
        assert "Added the domain “spam.example”." in page.locator(".admin-flash").inner_text()
        tab_to(page, "Remove “casino”")
        page.keyboard.press("Enter")
        page.get_by_text("Removed the word “casino”.").wait_for()
        with store.reading() as tx:
            assert tx.listed_values() == (("domain", "bit.ly"), ("domain", "spam.example"))
    finally:
        context.close()


def test_without_javascript_close_an_article_then_open_it_again(
    no_js: Page, base: str, store: Store
) -> None:
    log_in(no_js, base)
    no_js.get_by_role("link", name="Closed articles").click()
    no_js.fill("#close-slug", "handling-job-rejection")
    no_js.get_by_role("button", name="Close stories", exact=True).click()
    no_js.locator(".admin-flash").wait_for()
    with store.reading() as tx:
        assert [c.article for c in tx.closed_articles()] == [
            "asking-for-a-raise",
            "handling-job-rejection",
        ]
    no_js.get_by_role("button", name="Open stories again on asking-for-a-raise").click()
    no_js.get_by_text("are open again").wait_for()
    with store.reading() as tx:
        assert not tx.article_closed("asking-for-a-raise")


def open_writer(page: Page, base: str, story: Story) -> None:
    log_in(page, base)
    page.goto(f"{base}/admin/writers/{story.id}")


def open_story(page: Page, base: str, story: Story) -> None:
    log_in(page, base)
    page.goto(f"{base}/admin/stories/{story.id}")


PAGES: dict[str, Callable[[Page, str, Story], None]] = {
    "writer": open_writer,
    "story": open_story,
    "blocks": lambda page, base, _: (log_in(page, base), page.goto(f"{base}/admin/blocks")),
    "hold-list": lambda page, base, _: (log_in(page, base), page.goto(f"{base}/admin/hold-list")),
    "closed": lambda page, base, _: (log_in(page, base), page.goto(f"{base}/admin/closed")),
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_on_the_safety_pages(
    chromium: Browser, base: str, writer: list[Story], name: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    PAGES[name](page, base, writer[0])
    page.wait_for_load_state("load")
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("name", list(PAGES))
def test_at_320_px_the_safety_pages_do_not_scroll_sideways(
    chromium: Browser, base: str, writer: list[Story], name: str
) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    PAGES[name](page, base, writer[0])
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    context.close()
    assert widths[0] <= widths[1], widths
