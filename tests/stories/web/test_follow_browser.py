"""Following an article on the real site in Chromium, with JavaScript and without: the form
under the stories, the confirmation email through a real SMTP server (aiosmtpd), its page and
button, the email about a new story, the page that stops them; axe stays at zero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from notify_support import Collector, start_smtp

from reader_stories.config import config_from_pelican
from reader_stories.moderation import service
from reader_stories.notify.messages import Mailer
from reader_stories.notify.sender import deliver
from reader_stories.notify.smtp import SmtpTransport
from reader_stories.pages.republish import Republisher
from reader_stories.store import open_store
from reader_stories.validation import validate_submission
from sitetools.build import build_site
from sitetools.serve import running, site_with_stories

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = ROOT / "pelicanconf.py"
SECRET = "browser-follow-secret-0123456789abcdef"
SLUG = "handling-job-rejection"
SEED = f"/{SLUG}/"
LABEL = "Email me when a new story is published here"
ASKING = "Please confirm: new stories on Next Round"
NEW_STORY = "A new story on Next Round"


@pytest.fixture(scope="module")
def follow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    work = tmp_path_factory.mktemp("follow-site")
    server, smtp = start_smtp()
    base_url = "http://127.0.0.1:8000"
    comments = {
        "database_url": f"sqlite:///{work / 'comments.sqlite3'}",
        "secret_key": SECRET,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_starttls": False,
        "mail_from": "stories@nextround.example",
        "mail_interval": 0,  # the test sends, so it knows when mail has gone
    }
    output = work / "site"
    built = build_site(
        SETTINGS,
        output,
        {"SITEURL": base_url, "CACHE_PATH": str(work / "cache"), "COMMENTS": comments},
        search_index=False,
    )
    config = config_from_pelican(built.settings)
    try:
        with running(site_with_stories(config, output)) as base:
            yield {
                "base": base,
                "db": comments["database_url"],
                "site": Republisher(config, output),
                "mailer": Mailer.for_config(config),
                "smtp": smtp,
                "site_url": base_url,
            }
    finally:
        server.stop()


def send(site: dict) -> None:
    mailer: Mailer = site["mailer"]
    with open_store(site["db"]) as store:
        deliver(store, mailer, SmtpTransport.from_settings(mailer.settings))


def mail_to(smtp: Collector, address: str, subject: str) -> str:
    [found] = [m for m in smtp.messages if m.recipients == [address] and m.subject == subject]
    return found.body


def local(site: dict, body: str, path: str) -> str:
    """The link to ``path`` in an email, on the test server."""
    line = next(line for line in body.splitlines() if f"{path}?token=" in line)
    parts = urlsplit(line.strip())
    return f"{site['base']}{parts.path}?{parts.query}"


def approve_new_story(site: dict, text: str) -> int:
    form = {"article": SLUG, "name": "Sam", "story": text, "consent": "yes"}
    with open_store(site["db"]) as store:
        with store.writing() as tx:
            story = tx.add_submission(validate_submission(form, ip_hash="f" * 64))
        service.approve(store, site["site"], [story.id], site["mailer"])
    return story.id


def test_follow_without_javascript_confirm_hear_of_a_story_and_stop(chromium, follow_site):
    reader = "plain-follower@example.org"
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(follow_site["base"] + SEED)
    page.get_by_label(LABEL).fill(reader)
    page.get_by_role("button", name="Follow").click()
    page.wait_for_url("**/stories/follow")
    assert page.locator("h1").inner_text() == "Check your email"
    assert "nothing else until you press the button" in page.locator("main").inner_text()
    page.get_by_role("link", name="Back to the article").click()
    page.wait_for_url(f"**{SEED}#stories")

    send(follow_site)
    asking = mail_to(follow_site["smtp"], reader, ASKING)
    page.goto(local(follow_site, asking, "/stories/follow/confirm"))
    assert page.locator("h1").inner_text() == "Email you about new stories?"
    page.get_by_role("button", name="Yes, email me about new stories").click()
    assert page.locator("h1").inner_text() == "You follow this article"

    story_id = approve_new_story(follow_site, "FOLLOW-NOJS: a story the follower hears about.")
    send(follow_site)
    news = mail_to(follow_site["smtp"], reader, NEW_STORY)
    assert "> FOLLOW-NOJS: a story the follower hears about." in news
    assert f"{follow_site['site_url']}{SEED}#story-{story_id}" in news

    page.goto(local(follow_site, news, "/stories/follow/unsubscribe"))
    page.get_by_role("button", name="Stop the emails").click()
    assert page.locator("h1").inner_text() == "You will get no more emails"
    assert "deleted the email address" in page.locator("main").inner_text()
    context.close()


def test_follow_with_javascript_answers_in_place(chromium, follow_site) -> None:
    reader = "script-follower@example.org"
    page = chromium.new_page()
    page.goto(follow_site["base"] + SEED)
    page.get_by_label(LABEL).fill(reader)
    page.get_by_label(LABEL).press("Enter")
    status = page.locator("#follow-status")
    status.filter(has_text="If this address already follows the article").wait_for()
    assert page.url == follow_site["base"] + SEED  # answered in place
    assert page.get_by_label(LABEL).input_value() == ""
    send(follow_site)
    assert "/stories/follow/confirm?token=" in mail_to(follow_site["smtp"], reader, ASKING)

    # A problem the browser's own check lets through is answered in words, in place.
    page.get_by_label(LABEL).fill("someone@localhost")
    page.get_by_role("button", name="Follow").click()
    status.filter(has_text="in the correct format").wait_for()
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_follow_form_has_no_axe_violations(chromium, follow_site, scheme) -> None:
    context = chromium.new_context(color_scheme=scheme)
    tab = context.new_page()
    tab.goto(follow_site["base"] + SEED)
    tab.get_by_label(LABEL).fill("axe-follower@example.org")
    tab.get_by_role("button", name="Follow").click()
    tab.locator("#follow-status").filter(has_text="Thank you").wait_for()
    results = Axe().run(tab)
    context.close()
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_choose_a_daily_digest_with_and_without_javascript(
    chromium, follow_site, javascript: bool
) -> None:
    reader = f"digest-{'js' if javascript else 'plain'}@example.org"
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(follow_site["base"] + SEED)
    assert page.get_by_label("One email per new story").is_checked()  # the default
    page.get_by_label(LABEL).fill(reader)
    page.get_by_label("One daily digest").check()
    page.get_by_role("button", name="Follow").click()
    if javascript:
        page.locator("#follow-status").filter(has_text="Thank you").wait_for()
    else:
        page.wait_for_url("**/stories/follow")
    context.close()
    with open_store(follow_site["db"]) as store, store.reading() as tx:
        follow = tx.follow_of(SLUG, reader)
    assert follow is not None and follow.digest and not follow.confirmed
