"""The writer of a published story hears what became of their change, only if they asked for
email: through the outbox and a real SMTP server (aiosmtpd), on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from notify_support import (
    SITE_URL,
    Collector,
    confirm_address,
    mail_settings,
    make_mailer,
    transport,
)
from stories_support import FakeClock, add

from reader_stories.moderation import actions as moderation
from reader_stories.moderation import service
from reader_stories.notify.messages import Mailer
from reader_stories.notify.sender import deliver
from reader_stories.store import Store

READER = "ada@example.org"
SECOND = "The second interview went well, and I said what I meant."


@pytest.fixture
def mailer(db_url: str, smtp: Collector) -> Mailer:
    return make_mailer(mail_settings(db_url, smtp.port, moderator_email=None))


def published_with_change(store: Store, clock: FakeClock, mailer: Mailer, **changes) -> int:
    story = add(store, clock, name="Ada", **changes)
    moderation.approve(store, [story.id], mailer=mailer)
    with store.writing() as tx:
        tx.revise_by_writer(story.id, SECOND, "Ada", timedelta(hours=24))
    return story.id


def send(store: Store, mailer: Mailer) -> str:
    return str(deliver(store, mailer, transport(mailer.settings)))


def test_a_writer_who_asked_hears_of_each_decision(
    store: Store, mailer: Mailer, smtp: Collector, clock: FakeClock
) -> None:
    rejected = published_with_change(store, clock, mailer, email=READER, notify=True)
    confirm_address(store, READER)
    send(store, mailer)  # the "published" email
    smtp.messages.clear()

    service.reject_change(store, None, rejected, "names the firm", mailer)
    assert send(store, mailer) == "Sent 1 email."
    [no] = smtp.messages
    assert no.recipients == [READER]
    assert no.subject == "Your change was not published on Next Round"
    assert "did not publish it" in no.body and f"{SITE_URL}/" in no.body
    assert "names the firm" not in no.body  # the reason is the moderators' own note
    assert "/stories/delete?receipt=" in no.body
    assert no.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    approved = published_with_change(store, clock, mailer, email=READER, notify=True)
    send(store, mailer)
    smtp.messages.clear()
    service.approve_change(store, None, approved, mailer)
    assert send(store, mailer) == "Sent 1 email."
    assert [m.subject for m in smtp.messages] == ["Your change is published on Next Round"]
    assert "the page now shows it" in smtp.messages[0].body


def test_a_writer_who_did_not_ask_gets_nothing(
    store: Store, mailer: Mailer, smtp: Collector, clock: FakeClock
) -> None:
    story = published_with_change(store, clock, mailer, email=READER, notify=False)
    service.reject_change(store, None, story, None, mailer)
    assert send(store, mailer) == "No email was due."
    assert smtp.messages == []
