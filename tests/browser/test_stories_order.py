"""Sorting an article's stories in Chromium: without JavaScript the page's own order and no
control; with it, a labelled control re-sorts the list in place, replies moving with their
story, and axe stays at zero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from reader_stories.config import config_from_pelican
from reader_stories.moderation import actions as moderation
from reader_stories.store import open_store
from reader_stories.validation import validate_submission
from sitetools.build import build_site
from sitetools.serve import running, site_with_stories

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SECRET = "browser-order-secret-0123456789abcdef"
SEED = "handling-job-rejection"


def submit(store, name: str) -> int:
    form = {"article": SEED, "name": name, "consent": "yes", "reply_to": "", "email": ""}
    form["story"] = f"SORT-{name}: what helped me after a rejection."
    with store.writing() as tx:
        return tx.add_submission(validate_submission(form, ip_hash="f" * 64)).id


@pytest.fixture(scope="module")
def sorted_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    work = tmp_path_factory.mktemp("order-site")
    comments = {"database_url": f"sqlite:///{work / 'comments.sqlite3'}", "secret_key": SECRET}
    with open_store(comments["database_url"]) as store:
        ids = [submit(store, name) for name in ("Ana", "Bo", "Cy")]
        moderation.approve(store, ids)
        reply = moderation.reply(store, ids[0], "Thank you, Ana.", "Next Round editors").id
        with store.writing() as tx:
            for n in range(2):
                tx.mark_helpful(ids[1], f"{n:064x}")
            tx.mark_helpful(ids[2], "a" * 64)
    output = work / "site"
    built = build_site(
        SETTINGS,
        output,
        {
            "SITEURL": "http://127.0.0.1:8000",
            "CACHE_PATH": str(work / "cache"),
            "COMMENTS": comments,
        },
        search_index=False,
    )
    with running(site_with_stories(config_from_pelican(built.settings), output)) as base:
        yield {"base": base, "ids": ids, "reply": reply}


def order_on(page) -> list[int]:
    return [
        int(n)
        for n in page.locator("ol.stories__list > li").evaluate_all(
            "items => items.map(i => i.dataset.story)"
        )
    ]


def test_without_javascript_the_pages_order_and_no_control(chromium, sorted_site) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{sorted_site['base']}/{SEED}/")
    order = order_on(page)
    control_shown = page.locator("[data-stories-sort]").is_visible()
    context.close()
    assert order == sorted_site["ids"]  # the site's order: oldest first
    assert not control_shown


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_with_javascript_the_reader_re_sorts_in_place(chromium, sorted_site, scheme) -> None:
    first, second, third = sorted_site["ids"]
    context = chromium.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{sorted_site['base']}/{SEED}/")
    control = page.get_by_label("Sort stories")
    control.focus()
    control.select_option("helped")
    helped = order_on(page)
    said = page.locator("#stories-order-status").inner_text()
    reply_under_first = page.locator(
        f"ol.stories__list > li[data-story='{first}'] #story-{sorted_site['reply']}"
    ).count()
    still_focused = control.evaluate("e => e === document.activeElement")
    control.select_option("newest")
    newest = order_on(page)
    results = Axe().run(page)
    context.close()
    assert helped == [second, third, first]
    assert said == "Stories sorted: Most helpful first."
    assert reply_under_first == 1 and still_focused
    assert newest == [third, second, first]
    assert results.violations_count == 0, results.generate_report()
