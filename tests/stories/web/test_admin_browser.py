"""The moderation admin in a real Chromium: no JavaScript needed, keyboard alone, axe, 320 px.

The admin is served as `invoke serve` serves it (mounted at /admin beside a static site) over a
store holding a small queue with every kind of flag, so the pages tested are the full ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from stories_support import FakeClock, add, add_with_status, make_config
from test_admin import PASSWORD, make_settings, serve_admin

from reader_stories.models import Hold, HoldKind, Status, Story
from reader_stories.store import Store
from reader_stories.web.admin.app import create_app

pytestmark = pytest.mark.browser

MAX_TABS = 120


@pytest.fixture
def queue(store: Store, clock: FakeClock) -> dict[str, Story]:
    """A published story, and pending ones that carry each flag and a reply's context."""
    published = add_with_status(
        store, Status.APPROVED, name="Ada", body_markdown="Ten rejections, then the right offer."
    )
    # Its writer's change waits too, so the queue's pages show a change card with its diff.
    with store.writing() as tx:
        tx.revise_by_writer(
            published.id, "Twelve rejections, then the right offer.", "Ada", timedelta(hours=24)
        )
    return {
        "published": published,
        "links": add(
            store,
            clock,
            name="Bo",
            body_markdown=(
                "Read **this**: https://careers.example/a-very-long-address-that-could-overflow"
                "-a-narrow-screen-if-nothing-wraps-it and [that](https://b.example)."
            ),
        ),
        "duplicate": add(
            store, clock, name="Cy", body_markdown="ten rejections, then THE right offer."
        ),
        "reply": add(
            store, clock, name="Ada", reply_to=published.id, body_markdown="Thanks, all of you!"
        ),
        # The privacy check's findings, each with its redaction button, are scanned by axe too.
        "personal": add(
            store,
            clock,
            name="Di",
            body_markdown="The recruiter, Sarah Jones, rang me on 07911 123456 to say no.",
        ),
        # Held apart (the Held tab): its kind and reasons, and the button that releases it.
        "held": add(
            store,
            clock,
            name="Promo",
            body_markdown="Check out my channel https://bit.ly/3xYz for daily tips!",
            hold=Hold(HoldKind.SUSPECTED, ("spam score 7 (held from 5)", "a link (+1)")),
        ),
    }


@pytest.fixture
def base(tmp_path: Path, db_url: str, queue: dict[str, Story]) -> Iterator[str]:
    app = create_app(make_config(make_settings(db_url)))
    with serve_admin(tmp_path / "site", app) as url:
        yield url


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element is called ``name``, as a keyboard user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and " ".join(focused.inner_text().split()) == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_without_javascript_log_in_and_approve_with_the_keyboard_alone(
    no_js: Page, base: str, queue: dict[str, Story], store: Store
) -> None:
    story = queue["links"]
    no_js.goto(f"{base}/admin/")
    no_js.wait_for_url(f"{base}/admin/login")
    assert no_js.locator("#password").evaluate("e => e === document.activeElement")
    no_js.keyboard.type(PASSWORD)
    no_js.keyboard.press("Enter")
    no_js.wait_for_url(f"{base}/admin/")

    tab_to(no_js, f"Approve story #{story.id}")
    outline = no_js.locator(":focus").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")  # focus is visible
    no_js.keyboard.press("Enter")
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert f"#{story.id} approved" in flash.inner_text()
    assert flash.get_attribute("role") == "status"
    assert no_js.url == f"{base}/admin/?status=pending"
    assert no_js.locator(f"#story-{story.id}").count() == 0  # off the pending list
    assert store.get(story.id).status is Status.APPROVED


def test_without_javascript_approve_a_writers_change(
    no_js: Page, base: str, queue: dict[str, Story], store: Store
) -> None:
    story = queue["published"]
    log_in(no_js, base)
    diff = no_js.locator(f"#change-{story.id} .admin-change__diff")
    assert diff.locator("del").count() == 1 and diff.locator("ins").count() == 1
    spoken = " ".join((diff.text_content() or "").split())  # what a screen reader is given
    assert spoken.startswith("[removed: Ten][added: Twelve] rejections, then")
    no_js.get_by_role("button", name=f"Approve the change to story #{story.id}").click()
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert f"#{story.id}: its writer's change is approved" in flash.inner_text()
    assert no_js.locator(f"#change-{story.id}").count() == 0
    assert store.get(story.id).body_markdown == "Twelve rejections, then the right offer."


def test_without_javascript_bulk_reject_with_a_reason(
    no_js: Page, base: str, queue: dict[str, Story], store: Store
) -> None:
    log_in(no_js, base)
    no_js.get_by_label(f"Tick story #{queue['duplicate'].id} for a bulk action").check()
    no_js.get_by_label(f"Tick story #{queue['links'].id} for a bulk action").check()
    no_js.get_by_label("Reason for rejecting the ticked stories").last.fill("copies")
    no_js.get_by_role("button", name="Reject ticked").last.click()
    no_js.locator(".admin-flash").wait_for()
    for key in ("duplicate", "links"):
        rejected = store.get(queue[key].id)
        assert (rejected.status, rejected.reject_reason) == (Status.REJECTED, "copies")
    assert store.get(queue["reply"].id).status is Status.PENDING


def test_enter_in_the_bulk_form_does_not_act_on_the_ticked_stories(
    no_js: Page, base: str, queue: dict[str, Story], store: Store
) -> None:
    log_in(no_js, base)
    box = no_js.get_by_label(f"Tick story #{queue['links'].id} for a bulk action")
    box.check()
    no_js.get_by_label("Reason for rejecting the ticked stories").first.press("Enter")
    no_js.wait_for_timeout(300)
    assert store.get(queue["links"].id).status is Status.PENDING
    no_js.get_by_label(f"Tick story #{queue['links'].id} for a bulk action").press("Enter")
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert "Nothing was changed" in flash.inner_text()
    assert store.get(queue["links"].id).status is Status.PENDING


def open_login(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login")


def open_login_error(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#password", "not the password at all")
    page.get_by_role("button", name="Log in").click()
    page.locator("#error-summary").wait_for()


def open_queue(page: Page, base: str) -> None:
    log_in(page, base)


def open_queue_with_flash(page: Page, base: str) -> None:
    log_in(page, base)
    page.get_by_role("button", name="Approve ticked").first.click()
    page.locator(".admin-flash").wait_for()


def open_story(page: Page, base: str) -> None:
    log_in(page, base)
    page.locator(".admin-story__title a").first.click()
    page.wait_for_url(f"{base}/admin/stories/*")


def open_edit(page: Page, base: str) -> None:
    log_in(page, base)
    page.locator(".admin-actions__links a", has_text="Edit").first.click()
    page.wait_for_url(f"{base}/admin/stories/*/edit**")


def open_edit_error(page: Page, base: str) -> None:
    open_edit(page, base)
    page.fill("#text", "")
    page.get_by_role("button", name="Save the edit").click()
    page.locator("#error-summary").wait_for()


def open_delete(page: Page, base: str) -> None:
    log_in(page, base)
    page.locator(".admin-actions__links a", has_text="Delete").first.click()
    page.wait_for_url(f"{base}/admin/stories/*/delete**")


def open_approved(page: Page, base: str) -> None:
    log_in(page, base)
    page.goto(f"{base}/admin/?status=approved")


def open_held(page: Page, base: str) -> None:
    log_in(page, base)
    page.get_by_role("link", name="Held 1").click()
    page.wait_for_url(f"{base}/admin/held")


def open_held_released(page: Page, base: str) -> None:
    open_held(page, base)
    page.get_by_role("button", name="Not spam: put in the queue").first.click()
    page.locator(".admin-flash").wait_for()


PAGES: dict[str, Callable[[Page, str], None]] = {
    "login": open_login,
    "login-error": open_login_error,
    "queue": open_queue,
    "queue-flash": open_queue_with_flash,
    "approved": open_approved,
    "story": open_story,
    "edit": open_edit,
    "edit-error": open_edit_error,
    "delete": open_delete,
    "held": open_held,
    "held-released": open_held_released,
}


def heading_levels(page: Page) -> list[int]:
    return [
        int(tag[1])
        for tag in page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
            "nodes => nodes.map(n => n.tagName.toLowerCase())"
        )
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_and_headings_go_in_order(
    chromium: Browser, base: str, name: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    PAGES[name](page, base)
    page.wait_for_load_state("load")  # stylesheets in, before anything is measured
    results = Axe().run(page)
    levels = heading_levels(page)
    title = page.title()
    context.close()
    assert title.endswith("— Next Round moderation")
    assert results.violations_count == 0, results.generate_report()
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


@pytest.mark.parametrize("name", ["login-error", "queue", "story", "edit-error", "delete", "held"])
def test_at_320_px_nothing_scrolls_sideways(chromium: Browser, base: str, name: str) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    PAGES[name](page, base)
    page.wait_for_load_state("load")  # stylesheets in, before anything is measured
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    context.close()
    assert widths[0] <= widths[1], widths


def test_every_control_has_a_label(page: Page, base: str) -> None:
    log_in(page, base)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
            .filter(e => !e.labels || e.labels.length === 0).map(e => e.outerHTML)"""
    )
    assert unlabelled == []
