"""The moderator's email as it arrives through a real SMTP server (aiosmtpd), on both databases.

It is written when it is sent: the article's title, the flags the admin shows (personal data by
kind only), a link to the story in the admin and signed one-click links; and it never speaks of
a story already handled by then, alone or in a digest, after an outage or mid-delivery.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from notify_support import (
    MODERATOR,
    SITE_URL,
    Collector,
    free_port,
    mail_settings,
    make_mailer,
    outbox,
    start_smtp,
    transport,
)
from stories_support import FakeClock, add, add_with_status

from reader_stories.models import Hold, HoldKind, Status, Story
from reader_stories.moderation import actions as moderation
from reader_stories.notify.action_links import LinkAction, read_action_token
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import queue_new_story
from reader_stories.notify.sender import deliver
from reader_stories.notify.smtp import SmtpTransport
from reader_stories.pages.built import ArticleTitles
from reader_stories.pages.section import SECTION_BEGIN, SECTION_END
from reader_stories.store import Store

ADMIN_HASH = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
SLUG = "handling-job-rejection"


def admin_mailer(db_url: str, port: int, **changes) -> Mailer:
    """Mail with the web admin switched on, so the email carries its links."""
    return make_mailer(mail_settings(db_url, port, admin_password_hash=ADMIN_HASH, **changes))


def submit(store: Store, mailer: Mailer, clock: FakeClock, **changes) -> Story:
    """What the intake's transaction does: store the story and queue the moderator's mail."""
    clock.advance(seconds=1)
    story = add(store, **changes)
    with store.writing() as tx:
        queue_new_story(tx, mailer, story)
    return story


def send(store: Store, mailer: Mailer):
    return deliver(store, mailer, transport(mailer.settings))


def text_of(mail) -> str:
    """The body as a mail client shows it, one line per line."""
    return mail.body.replace("\r\n", "\n")


def links(body: str) -> dict[str, str]:
    """The email's labelled links ("In the admin:", "Approve:", "Reject:") by label."""
    found = {}
    for line in body.splitlines():
        label, _, rest = line.partition(":")
        if label in {"In the admin", "Approve", "Reject"} and rest.strip().startswith("http"):
            found[label] = rest.strip()
    return found


def test_the_email_names_the_flags_the_admin_link_and_signed_links_never_personal_text(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = admin_mailer(db_url, smtp.port)
    text = (
        "Same words as before. The recruiter, Sarah Jones, rang me on "
        "07911 123456 to say no. See https://a.example/x and https://b.example/y."
    )
    add_with_status(store, Status.REJECTED, body_markdown=text.upper(), article="other-article")
    story = submit(store, mailer, clock, name="Kit", body_markdown=text)
    send(store, mailer)
    [mail] = smtp.messages
    body = text_of(mail)
    assert f'Story #{story.id} by "Kit", on {SLUG}' in body  # no built site: the slug
    flags = body.split("Flags:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert flags == [
        "- 2 links",
        "- first-time author",
        "- duplicate of story #1 (rejected, on other-article)",
        "- personal data to check: probable personal name, phone number",
    ]
    # The privacy check's findings by kind only: the text itself stays in the admin.
    assert "Sarah Jones" not in body and "07911" not in body
    assert "> Same words as before. The recruiter, [name removed], rang" in body
    assert "[phone number removed]" in body
    found = links(body)
    assert found["In the admin"] == f"{SITE_URL}/admin/stories/{story.id}"
    for label, action in (("Approve", LinkAction.APPROVE), ("Reject", LinkAction.REJECT)):
        url = urlsplit(found[label])
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{SITE_URL}/admin/email/{action}"
        [token] = parse_qs(url.query)["token"]
        link = read_action_token(mailer.settings.signing_keys, token, action)
        assert (link.story_id, link.issued) == (story.id, clock.now)
    expires = clock.now + timedelta(hours=72)
    assert f"They work until {expires:%Y-%m-%d %H:%M} UTC" in body
    assert "invoke comments.approve" in body  # the command line still works too


def test_the_email_names_the_article_by_the_title_its_built_page_shows(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector, tmp_path: Path
) -> None:
    page = tmp_path / "site" / SLUG / "index.html"
    page.parent.mkdir(parents=True)
    section = (
        '<section class="stories" data-article-title="Handling job rejection &amp; moving on" '
        'data-article-url="handling-job-rejection/" data-article-date="2025-01-01T00:00:00">'
    )
    page.write_text(f"<main>{SECTION_BEGIN}{section}</section>{SECTION_END}</main>", "utf-8")
    titles = ArticleTitles((tmp_path / "missing", tmp_path / "site"), "{slug}/index.html")
    mailer = replace(admin_mailer(db_url, smtp.port), titles=titles)
    story = submit(store, mailer, clock)
    send(store, mailer)
    [mail] = smtp.messages
    assert f'Story #{story.id} by "Ada", on "Handling job rejection & moving on" ({SLUG})' in (
        text_of(mail)
    )


def test_without_the_admin_or_with_links_off_the_email_has_no_links_to_it(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    no_admin = make_mailer(mail_settings(db_url, smtp.port))
    submit(store, no_admin, clock)
    send(store, no_admin)
    links_off = admin_mailer(db_url, smtp.port, moderator_link_hours=0)
    submit(store, links_off, clock, body_markdown="A second story, links switched off.")
    send(store, links_off)
    first, second = smtp.messages
    assert links(text_of(first)) == {} and "/admin/" not in text_of(first)
    assert list(links(text_of(second))) == ["In the admin"]
    assert "token=" not in text_of(second)


def test_a_moderator_account_switches_the_admin_and_its_links_on_without_a_password_hash(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = make_mailer(mail_settings(db_url, smtp.port))
    with store.writing() as tx:
        tx.add_moderator("mia", "mia", ADMIN_HASH, "owner")
    story = submit(store, mailer, clock)
    send(store, mailer)
    [mail] = smtp.messages
    assert list(links(text_of(mail))) == ["In the admin", "Approve", "Reject"]
    assert links(text_of(mail))["In the admin"].endswith(f"/admin/stories/{story.id}")


def test_a_single_email_about_a_story_handled_before_it_goes_is_not_sent(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = admin_mailer(db_url, smtp.port)
    story = submit(store, mailer, clock)
    moderation.approve(store, [story.id])
    report = send(store, mailer)
    assert smtp.messages == []
    assert str(report) == "Sent 0 emails. 1 email about stories already moderated was not sent."
    assert outbox(store) == []  # dropped, not left to be counted as waiting


def test_a_story_held_apart_brings_no_email_and_a_digest_leaves_it_out(
    store: Store, smtp: Collector, clock: FakeClock, db_url: str
) -> None:
    mailer = admin_mailer(db_url, smtp.port)
    suspected = Hold(HoldKind.SUSPECTED, ("5 links to link shorteners",))
    submit(store, mailer, clock, name="Bot", hold=suspected)
    send(store, mailer)
    assert smtp.messages == []
    submit(store, mailer, clock, name="Bot", hold=suspected, body_markdown="Cheap, cheap, cheap!")
    real = submit(store, mailer, clock, name="Ada")
    send(store, mailer)
    [mail] = smtp.messages
    assert f'Story #{real.id} by "Ada"' in text_of(mail) and "Bot" not in text_of(mail)


def test_a_digest_after_an_outage_lists_only_the_stories_still_waiting(
    db_url: str, store: Store, clock: FakeClock
) -> None:
    port = free_port()
    mailer = admin_mailer(db_url, port, digest_minutes=30)
    approved = submit(store, mailer, clock, name="Al", body_markdown="Approved in the outage.")
    rejected = submit(store, mailer, clock, name="Bea", body_markdown="Rejected in the outage.")
    deleted = submit(store, mailer, clock, name="Cal", body_markdown="Deleted in the outage, yes.")
    waiting = [
        submit(store, mailer, clock, name=name, body_markdown=f"{name} still waits for a reply.")
        for name in ("Dee", "Eli")
    ]
    clock.advance(minutes=30)
    report = send(store, mailer)  # the mail server is down
    assert (report.sent, report.retrying) == (0, 5)
    moderation.approve(store, [approved.id])
    moderation.reject(store, [rejected.id], "off topic")
    moderation.delete(store, [deleted.id])
    server, collector = start_smtp(port)
    try:
        clock.advance(minutes=1)
        report = send(store, mailer)
    finally:
        server.stop()
    assert (report.sent, report.dropped) == (2, 2)  # the deleted story's mail went with it
    [digest] = collector.messages
    body = text_of(digest)
    assert digest.recipients == [MODERATOR]
    assert digest.subject == "2 new stories waiting for moderation on Next Round"
    ids = [story.id for story in waiting]
    assert f"invoke comments.approve {ids[0]},{ids[1]}" in body
    for gone in ("Al", "Bea", "Cal"):
        assert f'by "{gone}"' not in body
    for story_id in ids:
        assert f"In the admin: {SITE_URL}/admin/stories/{story_id}\n" in body
    assert body.count(f"{SITE_URL}/admin/email/approve?token=") == 2
    assert body.count(f"{SITE_URL}/admin/email/reject?token=") == 2
    assert [row.sent_at for row in outbox(store)] == [clock.now, clock.now]


def test_a_digest_whose_stories_were_all_handled_is_not_sent(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = admin_mailer(db_url, smtp.port, digest_minutes=10)
    stories = [
        submit(store, mailer, clock, body_markdown=f"Story number {n} of the quiet digest.")
        for n in (1, 2)
    ]
    moderation.mark_spam(store, [s.id for s in stories])
    clock.advance(minutes=10)
    report = send(store, mailer)
    assert smtp.messages == [] and (report.sent, report.dropped) == (0, 2)


class ModeratorMeanwhile:
    """The real SMTP transport, whose connection opens just as a moderator approves a story:
    after the sender claimed the email, before it writes it."""

    def __init__(self, smtp: SmtpTransport, act) -> None:
        self.smtp = smtp
        self.act = act

    @contextmanager
    def session(self):
        self.act()
        with self.smtp.session() as session:
            yield session


def test_a_story_handled_while_its_digest_is_being_sent_is_left_out(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = admin_mailer(db_url, smtp.port, digest_minutes=5)
    first = submit(store, mailer, clock, name="Fay", body_markdown="Approved mid-delivery, ok.")
    second = submit(store, mailer, clock, name="Gil", body_markdown="Still waits after delivery.")
    clock.advance(minutes=5)
    approve_first = lambda: moderation.approve(store, [first.id])  # noqa: E731
    meanwhile = ModeratorMeanwhile(transport(mailer.settings), approve_first)
    report = deliver(store, mailer, meanwhile)
    assert (report.sent, report.dropped) == (1, 1)
    [mail] = smtp.messages
    assert mail.subject == f"New story #{second.id} waiting for moderation on Next Round"
    assert 'by "Fay"' not in text_of(mail) and 'by "Gil"' in text_of(mail)
