"""From the moderator's inbox to a published story in Chromium: the real email, a link, a button.

The site is built for real (site_support.build_live) and the admin has its republisher; the
email goes through aiosmtpd and its links are read out of it. Without JavaScript, the approve
link opens a page with the story and one button, and pressing it puts the story on the built
article page at once. Each page the links open is checked by axe, in light and dark.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from notify_support import mail_settings, make_mailer, start_smtp, transport
from playwright.sync_api import Browser, Page
from site_support import ENV, SEED, build_live, submit
from stories_support import make_config
from test_admin import PASSWORD_HASH, make_settings, serve_admin

from reader_stories.models import Status, Story
from reader_stories.notify.outbox import queue_new_story
from reader_stories.notify.sender import deliver
from reader_stories.pages.built import ArticleTitles
from reader_stories.store import Store, open_store
from reader_stories.web.admin.app import create_app

pytestmark = pytest.mark.browser

TITLE = "Handling Job Rejection"  # content/articles/handling-job-rejection.md


@dataclass
class Inbox:
    base: str
    site: Path
    store: Store
    stories: dict[str, Story]
    emails: dict[int, str]  # story id -> the body of the email about it

    def link(self, story: str, label: str) -> str:
        """The URL after "Approve:" or "Reject:" in the email about ``story``."""
        body = self.emails[self.stories[story].id]
        [line] = [line for line in body.splitlines() if line.startswith(f"{label}:")]
        return line.split(":", 1)[1].strip()


@pytest.fixture
def inbox(tmp_path: Path, db_url: str) -> Iterator[Inbox]:
    with open_store(db_url) as store:
        stories = {
            "approve": submit(store, "Lin", "EMAIL-LINK-MARK: approved from the moderator's mail."),
            "reject": submit(store, "Mo", "Rejected from the moderator's email, one press."),
            "later": submit(store, "Nia", "Waits while its links are looked at by axe."),
        }
        site, republisher = build_live(tmp_path, db_url)
        settings = make_settings(db_url, secret_key=ENV["COMMENTS_SECRET_KEY"])
        app = create_app(make_config(settings), republisher=republisher)
        server, collector = start_smtp()
        try:
            with serve_admin(tmp_path / "admin-site", app) as base:
                mail = mail_settings(
                    db_url,
                    collector.port,
                    secret_key=settings.secret_key,
                    admin_password_hash=PASSWORD_HASH,
                    site_url=base,
                )
                titles = ArticleTitles((site,), "{slug}/index.html")
                mailer = replace(make_mailer(mail), titles=titles)
                with store.writing() as tx:
                    for story in stories.values():
                        queue_new_story(tx, mailer, story)
                deliver(store, mailer, transport(mail))
                emails = {}
                for received in collector.messages:
                    body = received.body.replace("\r\n", "\n")
                    story_id = int(received.subject.split("#", 1)[1].split()[0])
                    emails[story_id] = body
                yield Inbox(base, site, store, stories, emails)
        finally:
            server.stop()


def test_the_email_names_the_article_by_its_title(inbox: Inbox) -> None:
    story = inbox.stories["approve"]
    body = inbox.emails[story.id]
    assert f'Story #{story.id} by "Lin", on "{TITLE}" ({SEED})' in body
    assert f"In the admin: {inbox.base}/admin/stories/{story.id}" in body


def test_without_javascript_the_approve_link_and_its_button_publish_the_story(
    no_js: Page, inbox: Inbox
) -> None:
    story = inbox.stories["approve"]
    page_file = inbox.site / SEED / "index.html"
    assert "EMAIL-LINK-MARK" not in page_file.read_text()
    no_js.goto(inbox.link("approve", "Approve"))
    assert no_js.title().startswith(f"Approve story #{story.id}?")
    assert "EMAIL-LINK-MARK" in no_js.locator("main").inner_text()
    assert inbox.store.get(story.id).status is Status.PENDING  # opening it did nothing
    no_js.get_by_role("button", name=f"Approve story #{story.id}").click()
    no_js.get_by_role("heading", name=f"Story #{story.id} approved").wait_for()
    result = no_js.locator("main").inner_text()
    assert f"#{story.id} approved ({SEED}, by Lin)" in result
    assert f"{SEED}: the article page is up to date now." in result
    assert str(inbox.site) not in result  # no server folders for whoever holds the link
    assert "EMAIL-LINK-MARK" in page_file.read_text()  # live as soon as the page answered
    assert inbox.store.get(story.id).status is Status.APPROVED
    # The same link again: it says who handled the story and when, and does nothing.
    no_js.goto(inbox.link("approve", "Approve"))
    assert "was already approved by moderator (email link)" in no_js.locator("main").inner_text()


def _confirm(page: Page, inbox: Inbox) -> None:
    page.goto(inbox.link("later", "Approve"))


def _done(page: Page, inbox: Inbox) -> None:
    page.goto(inbox.link("reject", "Reject"))
    page.get_by_role("button", name=f"Reject story #{inbox.stories['reject'].id}").click()
    page.get_by_role("heading", name=f"Story #{inbox.stories['reject'].id} rejected").wait_for()


def _invalid(page: Page, inbox: Inbox) -> None:
    page.goto(inbox.link("later", "Approve").replace("/approve?", "/reject?"))


PAGES = {"confirm": _confirm, "done": _done, "invalid": _invalid}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_on_the_pages_email_links_open(
    chromium: Browser, inbox: Inbox, name: str, scheme: str
) -> None:
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    PAGES[name](page, inbox)
    page.wait_for_load_state("load")
    results = Axe().run(page)
    title = page.title()
    context.close()
    assert title.endswith("— Next Round moderation")
    assert results.violations_count == 0, results.generate_report()
