"""Reader stories on the real site in Chromium: submit with and without JavaScript, by keyboard,
approve with the moderation service, read the story on the page; axe stays at zero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from reader_stories.config import config_from_pelican
from reader_stories.moderation import service
from reader_stories.pages.republish import Republisher
from reader_stories.store import open_store
from sitetools.build import build_site
from sitetools.serve import running, site_with_stories

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SECRET = "browser-stories-secret-0123456789abcdef"
SEED = "/handling-job-rejection/"


@pytest.fixture(scope="module")
def story_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    work = tmp_path_factory.mktemp("stories-site")
    comments = {"database_url": f"sqlite:///{work / 'comments.sqlite3'}", "secret_key": SECRET}
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
    # As `invoke serve` runs it: the built site, the intake and the admin, one configuration.
    config = config_from_pelican(built.settings)
    with running(site_with_stories(config, output)) as base:
        yield {"base": base, "db": comments["database_url"], "site": Republisher(config, output)}


def pending_names(db: str) -> list[str]:
    with open_store(db) as store:
        return [s.name for s in store.pending()]


def test_without_javascript_submit_then_approve_then_read(chromium, story_site) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(story_site["base"] + SEED)
    page.get_by_label("Your name").fill("Noor")
    page.get_by_label("Your story or advice").fill(
        "NOJS-MARK: I kept a rejection log and saw the same gap three times."
    )
    page.get_by_label("Publish my story on this page once a moderator has read it").check()
    page.get_by_role("button", name="Send my story").click()
    page.wait_for_url("**/stories/received?article=handling-job-rejection")
    assert "moderator" in page.locator("h1").inner_text().lower()
    assert "Noor" in pending_names(story_site["db"])

    with open_store(story_site["db"]) as store:
        story = next(s for s in store.pending() if s.name == "Noor")
        service.approve(store, story_site["site"], [story.id])
    page.goto(story_site["base"] + SEED)
    published = page.locator(f"#story-{story.id}")
    assert "NOJS-MARK" in published.inner_text()
    assert "Noor" in published.inner_text()
    context.close()


def test_without_the_script_problems_keep_the_readers_text(chromium, story_site) -> None:
    # The page's own script is blocked (the plain form), while the test may still strip the
    # browser's own checks so that the server's answer is what shows.
    context = chromium.new_context()
    page = context.new_page()
    page.route("**/stories.js", lambda route: route.abort())
    page.goto(story_site["base"] + SEED)
    page.get_by_label("Your name").fill("Ola")
    page.get_by_label("Your story or advice").fill("KEEP-MARK: this text must survive the error.")
    page.locator("#story-consent").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Send my story").click()
    assert "Tick the box to let us publish your story" in page.locator("main").inner_text()
    assert page.get_by_label("Your story or advice").input_value().startswith("KEEP-MARK")
    assert page.get_by_label("Your name").input_value() == "Ola"
    assert Axe().run(page).violations_count == 0
    context.close()


def test_with_javascript_keyboard_only_submission(page, story_site) -> None:
    page.goto(story_site["base"] + SEED)
    page.get_by_label("Your name").focus()
    page.keyboard.type("Kai")
    while page.evaluate("document.activeElement.id") != "story-story":
        page.keyboard.press("Tab")
    page.keyboard.type("KEYS-MARK: I negotiated using only the advice on this site, by keyboard.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "story-consent"
    page.keyboard.press("Space")
    while page.evaluate("document.activeElement.tagName") != "BUTTON":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    status = page.locator("#story-form-status")
    status.filter(has_text="moderator").wait_for(timeout=10_000)
    assert page.url == story_site["base"] + SEED  # no reload, no navigation
    assert "Kai" in pending_names(story_site["db"])


def test_with_javascript_errors_show_inline_and_take_focus(page, story_site) -> None:
    page.goto(story_site["base"] + SEED)
    page.get_by_label("Your name").fill("Lu")
    page.get_by_label("Your story or advice").fill("Too short.")
    page.locator("#story-story").evaluate("el => el.removeAttribute('minlength')")
    page.locator("#story-consent").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Send my story").click()
    summary = page.locator("#story-form-errors")
    summary.wait_for(state="visible", timeout=10_000)
    assert page.evaluate("document.activeElement.id") == "story-form-errors"
    assert "Tick the box to let us publish your story" in summary.inner_text()
    assert page.locator("#story-story").get_attribute("aria-invalid") == "true"
    assert page.url == story_site["base"] + SEED


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_article_with_stories_and_form_has_no_axe_violations(chromium, story_site, scheme) -> None:
    with open_store(story_site["db"]) as store:
        if not store.approved_for_article("handling-job-rejection"):
            from reader_stories.validation import validate_submission

            form = {
                "article": "handling-job-rejection",
                "name": "Axe",
                "story": "A story so the scan sees the list.",
                "consent": "yes",
            }
            with store.writing() as tx:
                story = tx.add_submission(validate_submission(form, ip_hash="a" * 64))
            service.approve(store, story_site["site"], [story.id])
            service.reply(store, story_site["site"], story.id, "An answer from us.", "Editors")
    context = chromium.new_context(color_scheme=scheme)
    tab = context.new_page()
    tab.goto(story_site["base"] + SEED)
    assert tab.locator(".stories__list article").count() >= 1
    results = Axe().run(tab)
    context.close()
    assert results.violations_count == 0, results.generate_report()


def test_this_helped_me_with_and_without_javascript(chromium, story_site) -> None:
    from reader_stories.validation import validate_submission

    form = {
        "article": "handling-job-rejection",
        "name": "Rae",
        "story": "HELPED-MARK: a story another reader can say helped them.",
        "consent": "yes",
    }
    with open_store(story_site["db"]) as store:
        with store.writing() as tx:
            story = tx.add_submission(validate_submission(form, ip_hash="e" * 64))
        service.approve(store, story_site["site"], [story.id])
    count = f"#story-{story.id}-helped"

    page = chromium.new_page()
    page.goto(story_site["base"] + SEED)
    page.locator(f"#story-{story.id}").get_by_role("button", name="This helped me").click()
    page.locator(count).filter(has_text="1 reader found this helpful").wait_for()
    assert page.locator(f"#story-{story.id} .story__helped-button").is_disabled()
    assert page.url == story_site["base"] + SEED  # counted in place
    page.close()

    context = chromium.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(story_site["base"] + SEED)
    plain.locator(f"#story-{story.id}").get_by_role("button", name="This helped me").click()
    plain.wait_for_url("**/stories/helped")
    assert plain.locator("h1").inner_text() == "Thank you for saying so"
    assert "each network counts once" in plain.locator("main").inner_text()  # same network
    plain.get_by_role("link", name="Back to the story").click()
    plain.wait_for_url(f"**{SEED}#story-{story.id}")
    for _ in range(100):  # the batched rewrite of the static page, polled
        if "1 reader found this helpful" in plain.locator(count).inner_text():
            break
        plain.wait_for_timeout(200)
        plain.reload()
    assert plain.locator(count).inner_text() == "1 reader found this helpful"
    context.close()
