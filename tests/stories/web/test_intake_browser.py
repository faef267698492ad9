"""The story form in a real Chromium, with stories.js and without, against the real intake.

A tiny article page carries the real form macro (rendered through the stories' Jinja
environment) and the real stories.js; it is served with the intake mounted at /stories on one
port, as `invoke serve` does.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route
from stories_support import make_config
from test_intake import (
    SECRET,
    SLUG,
    STORY,
    TEMPLATES,
    make_settings,
    serve_site,
    statuses,
)

from reader_stories import validation
from reader_stories.pages.section import ArticleRef
from reader_stories.pages.templates import environment
from reader_stories.tokens import make_article_token
from reader_stories.web.intake.app import MSG_DUPLICATE, create_app
from reader_stories.web.intake.pages import MSG_ACCEPTED, MSG_PREVIEW

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "theme" / "static"
STORIES_JS = ROOT / "stories" / "reader_stories" / "static" / "stories.js"
ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asking for a raise — Next Round</title>
<link rel="stylesheet" href="/theme/css/site.css">
<script src="/theme/js/stories.js" defer></script>
</head>
<body>
<main id="main" class="wrap">
<h1>Asking for a raise</h1>
<section class="stories" id="stories" aria-labelledby="stories-title">
<h2 id="stories-title">Reader stories</h2>
{{ story_form(article, site, [], token, {}, {}) }}
</section>
</main>
</body>
</html>
"""
FOUR_LINKS = STORY + " https://a.example https://b.example https://c.example https://d.example"
LINKS_MESSAGE = "Story can contain at most 3 links; yours has 4"


def write_article_site(folder: Path) -> Path:
    """The stylesheet, stories.js and one article page with the real form on it."""
    (folder / "theme" / "css").mkdir(parents=True)
    (folder / "theme" / "js").mkdir(parents=True)
    shutil.copy(STATIC / "css" / "site.css", folder / "theme" / "css" / "site.css")
    shutil.copy(STORIES_JS, folder / "theme" / "js" / "stories.js")
    env = environment(TEMPLATES)
    template = env.from_string('{% from "stories/form.html" import story_form %}\n' + ARTICLE_PAGE)
    html = template.render(
        article=ArticleRef(
            SLUG, "Asking for a raise", f"{SLUG}/", datetime(2025, 1, 6, tzinfo=UTC)
        ),
        site=make_config(make_settings("sqlite://")).site,
        token=make_article_token(SECRET, SLUG),
    )
    (folder / SLUG).mkdir()
    (folder / SLUG / "index.html").write_text(html, encoding="utf-8")
    (folder / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    return folder


@pytest.fixture
def base(tmp_path: Path, db_url: str) -> Iterator[str]:
    app = create_app(make_config(make_settings(db_url)))
    with serve_site(write_article_site(tmp_path / "site"), app) as url:
        yield url


def fill(page: Page, story: str = STORY, *, email: str = "", consent: bool = True) -> None:
    page.fill("#story-name", "Ada")
    page.fill("#story-email", email)
    page.fill("#story-story", story)
    page.set_checked("#story-consent", consent)


def send(page: Page) -> None:
    page.get_by_role("button", name="Send my story").click()


# JavaScript on


def test_js_sends_json_and_shows_the_thank_you_inline(page: Page, base: str, db_path: Path) -> None:
    posted: list[tuple[str | None, str | None]] = []
    page.on(
        "request",
        lambda r: (
            posted.append((r.headers.get("content-type"), r.post_data))
            if r.method == "POST"
            else None
        ),
    )
    page.goto(f"{base}/{SLUG}/")
    page.evaluate(
        """() => {
        const button = document.querySelector('#story-form [type=submit]');
        window.buttonStates = [];
        new MutationObserver(() => window.buttonStates.push(button.disabled))
            .observe(button, {attributes: true, attributeFilter: ['disabled']});
    }"""
    )
    fill(page)
    send(page)
    status = page.locator("#story-form-status")
    status.filter(has_text=MSG_ACCEPTED).wait_for()
    assert page.url == f"{base}/{SLUG}/"
    assert status.get_attribute("role") == "status"
    assert page.input_value("#story-story") == ""
    assert page.input_value("#story-name") == "Ada"
    assert page.evaluate("() => window.buttonStates") == [True, False]
    # The receipt came in the answer's body; the link to keep is built from it.
    keep = status.get_by_role("link", name="Your private link to delete this story: keep it")
    # An absolute address (SITEURL's), as every address the intake hands out.
    keep_href = keep.get_attribute("href") or ""
    assert keep_href.startswith("http://127.0.0.1:8000/stories/delete?receipt=")
    assert posted and posted[0][0] == "application/json"
    sent = json.loads(posted[0][1] or "{}")
    assert sent["story"] == STORY and sent["consent"] == "yes" and sent["website"] == ""
    assert statuses(db_path) == ["pending"]


def test_js_marks_invalid_fields_and_moves_focus_to_the_summary(
    page: Page, base: str, db_path: Path
) -> None:
    page.goto(f"{base}/{SLUG}/")
    # Problems only the server finds: the browser's own checks pass these.
    fill(page, FOUR_LINKS, email="ada@example")
    send(page)
    summary = page.locator("#story-form-errors")
    summary.wait_for(state="visible")
    assert page.evaluate("() => document.activeElement.id") == "story-form-errors"
    assert summary.locator("h4").inner_text() == "Please fix 2 problems:"
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [validation.MSG_EMAIL_FORMAT, LINKS_MESSAGE]
    assert [link.get_attribute("href") for link in links.all()] == ["#story-email", "#story-story"]
    for field, message in (("email", validation.MSG_EMAIL_FORMAT), ("story", LINKS_MESSAGE)):
        control = page.locator(f"#story-{field}")
        assert control.get_attribute("aria-invalid") == "true"
        assert (
            control.get_attribute("aria-describedby") == f"story-{field}-hint story-{field}-error"
        )
        assert page.inner_text(f"#story-{field}-error") == message
    assert page.input_value("#story-story") == FOUR_LINKS  # nothing typed is lost
    assert statuses(db_path) == []

    # Fixing the problems clears every mark and sends the story.
    fill(page, STORY, email="ada@example.org")
    send(page)
    page.locator("#story-form-status").filter(has_text=MSG_ACCEPTED).wait_for()
    assert summary.is_hidden()
    assert page.locator(".field__error").count() == 0
    assert page.locator("[aria-invalid]").count() == 0
    assert page.get_attribute("#story-email", "aria-describedby") == "story-email-hint"
    assert statuses(db_path) == ["pending"]


def test_js_shows_other_refusals_in_the_status_region(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page)
    send(page)
    status = page.locator("#story-form-status")
    status.filter(has_text=MSG_ACCEPTED).wait_for()
    fill(page)
    send(page)
    status.filter(has_text=MSG_DUPLICATE).wait_for()
    assert page.locator("#story-form-errors").is_hidden()
    assert page.is_enabled("#story-form [type=submit]")


def test_js_falls_back_to_a_plain_post_when_the_network_fails(
    page: Page, base: str, db_path: Path
) -> None:
    def drop_json(route: Route) -> None:
        if route.request.headers.get("content-type") == "application/json":
            route.abort("connectionfailed")
        else:
            route.continue_()

    page.route("**/stories/", drop_json)
    page.goto(f"{base}/{SLUG}/")
    fill(page)
    send(page)
    page.wait_for_url(f"{base}/stories/received?article={SLUG}")
    assert page.locator("h1").inner_text() == "Thank you — your story is waiting for a moderator"
    assert statuses(db_path) == ["pending"]


# JavaScript off


def test_without_js_a_story_lands_on_the_received_page(
    no_js: Page, base: str, db_path: Path
) -> None:
    no_js.goto(f"{base}/{SLUG}/")
    fill(no_js)
    send(no_js)
    no_js.wait_for_url(f"{base}/stories/received?article={SLUG}")
    assert no_js.locator("h1").inner_text() == "Thank you — your story is waiting for a moderator"
    # The receipt came along in a cookie, not in the address.
    assert no_js.get_by_role("button", name="Delete my story").count() == 1
    link = no_js.get_by_role("link", name="Your private deletion link").get_attribute("href")
    assert link is not None and link.startswith("/stories/delete?receipt=")
    no_js.get_by_role("link", name="Back to the article").click()
    no_js.wait_for_url(f"{base}/{SLUG}/#stories")
    assert statuses(db_path) == ["pending"]


def test_without_js_an_invalid_story_comes_back_with_the_text_kept(
    no_js: Page, base: str, db_path: Path
) -> None:
    typed = FOUR_LINKS + "\n\n<script>alert('typed')</script> & more"
    no_js.goto(f"{base}/{SLUG}/")
    fill(no_js, typed, email="ada@example")
    send(no_js)
    no_js.wait_for_url(f"{base}/stories/")
    assert no_js.locator("h1").inner_text() == "Your story has not been sent yet"
    summary = no_js.locator("#story-form-errors")
    assert summary.get_by_role("link").all_inner_texts() == [
        validation.MSG_EMAIL_FORMAT,
        LINKS_MESSAGE,
    ]
    assert no_js.input_value("#story-story") == typed
    assert no_js.input_value("#story-name") == "Ada"
    assert no_js.input_value("#story-email") == "ada@example"
    assert no_js.is_checked("#story-consent")
    assert statuses(db_path) == []

    # The refilled form sends as it is once corrected.
    fill(no_js, STORY, email="ada@example.org")
    send(no_js)
    no_js.wait_for_url(f"{base}/stories/received?article={SLUG}")
    assert statuses(db_path) == ["pending"]


# Preview: the story as it will be published, with nothing stored

PREVIEW_STORY = "I asked for **three** weeks and got them.\n\n- one\n- two\n\n<b>kept as text</b>"


def preview(page: Page) -> None:
    page.get_by_role("button", name="Preview").click()


def assert_previewed(page: Page) -> None:
    """The preview shows the story rendered by the page's own template and sanitiser."""
    shown = page.locator("#story-preview")
    assert shown.is_visible()
    assert shown.locator(".story__by").inner_text() == "Ada"
    assert shown.locator(".story__body strong").inner_text() == "three"
    assert shown.locator(".story__body li").all_inner_texts() == ["one", "two"]
    assert "<b>kept as text</b>" in shown.locator(".story__body").inner_text()
    assert shown.locator(".story__body b").count() == 0


def test_js_previews_in_place_and_sends_only_on_send(page: Page, base: str, db_path: Path) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, PREVIEW_STORY)
    preview(page)
    page.locator("#story-preview").wait_for(state="visible")
    assert_previewed(page)
    assert page.evaluate("document.activeElement.id") == "story-preview"
    assert page.locator("#story-form-status").inner_text() == MSG_PREVIEW
    assert page.url == f"{base}/{SLUG}/"  # in place
    assert page.input_value("#story-story") == PREVIEW_STORY
    assert statuses(db_path) == []

    send(page)
    page.get_by_text(MSG_ACCEPTED).wait_for()
    assert page.locator("#story-preview").is_hidden()
    assert statuses(db_path) == ["pending"]


def test_js_preview_of_a_story_that_breaks_the_rules_shows_the_problems(
    page: Page, base: str, db_path: Path
) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, FOUR_LINKS)
    preview(page)
    page.locator("#story-form-errors").wait_for(state="visible")
    assert LINKS_MESSAGE in page.locator("#story-form-errors").inner_text()
    assert page.locator("#story-preview").is_hidden()
    assert statuses(db_path) == []


def test_without_js_preview_is_a_page_with_the_form_refilled(
    no_js: Page, base: str, db_path: Path
) -> None:
    no_js.goto(f"{base}/{SLUG}/")
    fill(no_js, PREVIEW_STORY, email="ada@example.org")
    preview(no_js)
    no_js.wait_for_url(f"{base}/stories/")
    assert no_js.locator("h1").inner_text() == "Preview your story"
    assert_previewed(no_js)
    assert no_js.input_value("#story-story") == PREVIEW_STORY
    assert no_js.input_value("#story-email") == "ada@example.org"
    assert no_js.is_checked("#story-consent")
    assert statuses(db_path) == []

    no_js.fill("#story-story", PREVIEW_STORY + " Changed after the preview.")
    send(no_js)
    no_js.wait_for_url(f"{base}/stories/received?article={SLUG}")
    assert statuses(db_path) == ["pending"]


def open_preview_page(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, PREVIEW_STORY)
    with page.expect_navigation():
        page.evaluate(
            "() => { const f = document.getElementById('story-form');"
            " const i = document.createElement('input'); i.type = 'hidden'; i.name = 'intent';"
            " i.value = 'preview'; f.append(i); f.submit(); }"  # past stories.js
        )


def open_inline_preview(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, PREVIEW_STORY)
    preview(page)
    page.locator("#story-preview").wait_for(state="visible")


# Accessibility of the intake's pages (and of the inline errors stories.js adds)


def open_invalid_page(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, FOUR_LINKS, email="ada@example")
    with page.expect_navigation():
        page.evaluate("() => document.getElementById('story-form').submit()")  # past stories.js


def open_inline_errors(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/")
    fill(page, FOUR_LINKS, email="ada@example")
    send(page)
    page.locator("#story-form-errors").wait_for(state="visible")


PAGES = {
    "received": lambda page, base: page.goto(f"{base}/stories/received?article={SLUG}"),
    "invalid": open_invalid_page,
    "error-405": lambda page, base: page.goto(f"{base}/stories/"),
    "error-404": lambda page, base: page.goto(f"{base}/stories/nothing-here"),
    "inline-errors": open_inline_errors,
    "preview": open_preview_page,
    "inline-preview": open_inline_preview,
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(chromium: Browser, base: str, name: str, scheme: str) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    PAGES[name](page, base)
    results = Axe().run(page)
    title = page.title()
    context.close()
    assert title
    assert results.violations_count == 0, results.generate_report()


def test_intake_pages_share_the_site_layout(page: Page, base: str) -> None:
    for name in ("received", "invalid", "error-405"):
        PAGES[name](page, base)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").count() == 1
        assert page.locator("main#main").count() == 1
        assert page.get_attribute("a.skip-link", "href") == "#main"
        assert page.get_attribute(".site-header .brand a", "href") == "/"
        stylesheet = page.evaluate("() => document.styleSheets[0] && document.styleSheets[0].href")
        assert stylesheet == f"{base}/theme/css/site.css"
