"""Moderator accounts in a real Chromium: logging in by name and managing accounts from the
keyboard alone without JavaScript, changing your password with JavaScript on, and axe at 0
violations on every new page, light and dark."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from stories_support import make_config
from test_admin import PASSWORD, make_settings, serve_admin
from test_admin_browser import MAX_TABS, heading_levels, tab_to

from reader_stories.accounts import manage
from reader_stories.accounts.names import Role
from reader_stories.store import Store
from reader_stories.web.admin.app import create_app

pytestmark = pytest.mark.browser

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
MIA, ALEX = "mia's long password", "alex's long password"
SAM = "sam's long password"


@pytest.fixture
def base(tmp_path: Path, db_url: str, store: Store) -> Iterator[str]:
    manage.add_moderator(store, "Mia", HASHER.hash(MIA), Role.OWNER)
    manage.add_moderator(store, "Alex", HASHER.hash(ALEX), Role.MODERATOR)
    app = create_app(make_config(make_settings(db_url, admin_password_hash="")))
    with serve_admin(tmp_path / "site", app) as url:
        yield url


@pytest.fixture
def single_password_base(tmp_path: Path, db_url: str, store: Store) -> Iterator[str]:
    """An upgraded install: the single password, no account yet."""
    app = create_app(make_config(make_settings(db_url)))
    with serve_admin(tmp_path / "site", app) as url:
        yield url


def log_in(page: Page, base: str, name: str = "Mia", password: str = MIA) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")


def tab_to_field(page: Page, field_id: str) -> None:
    """Press Tab until the field with this id has the focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == field_id:
            return
    raise AssertionError(f"#{field_id} cannot be reached with the Tab key")


def test_without_javascript_an_owner_adds_and_removes_a_moderator_by_keyboard(
    no_js: Page, base: str, store: Store
) -> None:
    no_js.goto(f"{base}/admin/")
    no_js.wait_for_url(f"{base}/admin/login")
    assert no_js.locator("#name").evaluate("e => e === document.activeElement")
    no_js.keyboard.type("mia")
    no_js.keyboard.press("Tab")
    no_js.keyboard.type(MIA)
    no_js.keyboard.press("Enter")
    no_js.wait_for_url(f"{base}/admin/")

    tab_to(no_js, "Moderators")
    no_js.keyboard.press("Enter")
    no_js.wait_for_url(f"{base}/admin/moderators")
    tab_to_field(no_js, "name")
    no_js.keyboard.type("Sam")
    tab_to_field(no_js, "password")  # past the role's radio buttons (Moderator is ticked)
    no_js.keyboard.type(SAM)
    no_js.keyboard.press("Tab")
    no_js.keyboard.type(SAM)
    no_js.keyboard.press("Enter")
    flash = no_js.locator(".admin-flash")
    flash.wait_for()
    assert "Added moderator 'Sam'" in flash.inner_text()
    assert [m.name for m in manage.list_moderators(store)] == ["Mia", "Alex", "Sam"]

    tab_to(no_js, "Remove Sam")
    no_js.keyboard.press("Enter")
    no_js.wait_for_url(f"{base}/admin/moderators/*/remove")
    tab_to(no_js, "Remove Sam")
    outline = no_js.locator(":focus").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")  # focus is visible
    no_js.keyboard.press("Enter")
    no_js.locator(".admin-flash").wait_for()
    assert "Removed 'Sam'" in no_js.locator(".admin-flash").inner_text()
    assert [m.name for m in manage.list_moderators(store)] == ["Mia", "Alex"]


def test_with_javascript_a_moderator_changes_their_password(
    page: Page, base: str, store: Store
) -> None:
    log_in(page, base, "Alex", ALEX)
    assert page.locator("nav").get_by_text("Moderators").count() == 0
    page.get_by_role("link", name="Your password").click()
    page.wait_for_url(f"{base}/admin/account")
    page.get_by_label("Current password").fill(ALEX)
    page.get_by_label("New password", exact=True).fill("alex's new long password")
    page.get_by_label("New password again").fill("alex's new long password")
    page.get_by_role("button", name="Change my password").click()
    page.wait_for_url(f"{base}/admin/")
    assert "Your password is changed" in page.locator(".admin-flash").inner_text()
    alex = next(m for m in manage.list_moderators(store) if m.name == "Alex")
    assert HASHER.verify(alex.password_hash, "alex's new long password")


def open_login(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login")


def open_login_error(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#name", "nobody")
    page.fill("#password", "not the password at all")
    page.get_by_role("button", name="Log in").click()
    page.locator("#error-summary").wait_for()


def open_moderators(page: Page, base: str) -> None:
    log_in(page, base)
    page.goto(f"{base}/admin/moderators")


def open_moderators_error(page: Page, base: str) -> None:
    open_moderators(page, base)
    page.fill("#name", "<b>")
    page.fill("#password", "short")
    page.fill("#password_again", "different")
    page.evaluate("() => document.querySelectorAll('[minlength]').forEach(e => e.remove())")
    page.get_by_role("button", name="Add moderator").click()
    page.locator("#error-summary").wait_for()


def open_remove(page: Page, base: str) -> None:
    open_moderators(page, base)
    page.get_by_role("link", name="Remove Alex").click()
    page.wait_for_url(f"{base}/admin/moderators/*/remove")


def open_account(page: Page, base: str) -> None:
    log_in(page, base)
    page.goto(f"{base}/admin/account")


def open_account_error(page: Page, base: str) -> None:
    open_account(page, base)
    page.get_by_label("Current password").fill("not it at all")
    page.get_by_label("New password", exact=True).fill("a new long password")
    page.get_by_label("New password again").fill("a new long password")
    page.get_by_role("button", name="Change my password").click()
    page.locator("#error-summary").wait_for()


PAGES: dict[str, Callable[[Page, str], None]] = {
    "login": open_login,
    "login-error": open_login_error,
    "moderators": open_moderators,
    "moderators-error": open_moderators_error,
    "remove": open_remove,
    "account": open_account,
    "account-error": open_account_error,
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_and_headings_go_in_order(
    chromium: Browser, base: str, name: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    PAGES[name](page, base)
    page.wait_for_load_state("load")
    results = Axe().run(page)
    levels = heading_levels(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_the_single_password_logs_in_without_a_name_and_its_pages_pass_axe(
    chromium: Browser, single_password_base: str
) -> None:
    base = single_password_base
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/admin/login")
    assert page.locator("#password").evaluate("e => e === document.activeElement")
    login_axe = Axe().run(page)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/moderators")
    first_axe = Axe().run(page)
    assert page.get_by_role("button", name="Add owner").count() == 1
    page.goto(f"{base}/admin/account")
    account_axe = Axe().run(page)
    context.close()
    for results in (login_axe, first_axe, account_axe):
        assert results.violations_count == 0, results.generate_report()


def test_at_320_px_the_moderators_page_does_not_scroll_sideways(
    chromium: Browser, base: str
) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    open_moderators(page, base)
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    context.close()
    assert widths[0] <= widths[1], widths
