"""Delivery through a real SMTP server in-process (aiosmtpd on loopback), on both databases.

What a reader or moderator would find in their inbox is read back with the ``email`` package:
headers, body, the one-click unsubscribe headers; and what the outbox kept afterwards.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from notify_support import (
    MAIL_FROM,
    MODERATOR,
    SITE_URL,
    Collector,
    confirm_address,
    free_port,
    mail_settings,
    make_mailer,
    outbox,
    start_smtp,
    transport,
)
from stories_support import FakeClock, add, add_with_status

from reader_stories import cli
from reader_stories.models import Status, Story
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import service
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import queue_new_story
from reader_stories.notify.records import Draft, MailKind
from reader_stories.notify.sender import MAX_ATTEMPTS, deliver, retry_delay
from reader_stories.notify.worker import MailWorker
from reader_stories.store import Store, open_store

READER = "ada@example.org"


@pytest.fixture
def mailer(db_url: str, smtp: Collector) -> Mailer:
    return make_mailer(mail_settings(db_url, smtp.port))


def send(store: Store, mailer: Mailer, **options):
    return deliver(store, mailer, transport(mailer.settings), **options)


def submit(store: Store, mailer: Mailer, clock: FakeClock | None = None, **changes) -> Story:
    """What the intake's transaction does: store the story and queue the moderator's mail."""
    if clock is not None:
        clock.advance(seconds=1)
    story = add(store, **changes)
    with store.writing() as tx:
        queue_new_story(tx, mailer, story)
    return story


def approve(store: Store, mailer: Mailer, *ids: int) -> None:
    moderation.approve(store, ids, mailer=mailer)


# The moderator


def test_moderator_mail_has_the_story_and_the_commands_and_nothing_private(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = submit(store, mailer, name="Ada Lovelace", email=READER, notify=True)
    assert str(send(store, mailer)) == "Sent 2 emails."  # and the writer's request to confirm
    [mail] = [m for m in smtp.messages if m.recipients == [MODERATOR]]
    assert (mail.sender, mail.recipients) == (MAIL_FROM, [MODERATOR])
    assert mail.subject == f"New story #{story.id} waiting for moderation on Next Round"
    assert mail.message["From"].addresses[0].addr_spec == MAIL_FROM
    assert mail.message["List-Unsubscribe"] is None
    body = mail.body
    for expected in (
        'Story #1 by "Ada Lovelace", on handling-job-rejection',
        f"{SITE_URL}/handling-job-rejection/",
        "> I was turned down twice before the offer came.",
        "invoke comments.approve 1",
        'invoke comments.reject 1 --reason "why"',
        "invoke comments.spam 1",
    ):
        assert expected in body
    assert READER not in mail.message.as_string()
    assert "a" * 64 not in mail.message.as_string()  # the network hash


def test_a_honeypot_story_sends_the_moderator_nothing(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    submit(store, mailer, honeypot=True)
    assert outbox(store) == []


def test_digest_mode_sends_one_email_for_several_stories(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = make_mailer(mail_settings(db_url, smtp.port, digest_minutes=30))
    first = submit(store, mailer, clock)
    send(store, mailer)
    assert smtp.messages == []  # it waits for the others
    clock.advance(minutes=10)
    second = submit(store, mailer, clock, body_markdown="A second story, ten minutes later.")
    clock.advance(minutes=10)
    third = submit(store, mailer, clock, body_markdown="A third story, twenty minutes in.")
    clock.advance(minutes=10)
    assert str(send(store, mailer)) == "Sent 3 emails."
    [digest] = smtp.messages
    assert digest.subject == "3 new stories waiting for moderation on Next Round"
    assert f"invoke comments.approve {first.id},{second.id},{third.id}" in digest.body
    assert digest.body.index("Story #1 by") < digest.body.index("Story #3 by")
    assert "======== 3 of 3 ========" in digest.body
    assert [row.sent_at for row in outbox(store)] == [clock.now] * 3
    # The next story starts a new window: nothing goes out before it ends.
    submit(store, mailer, clock, body_markdown="A fourth story starts the next digest.")
    clock.advance(minutes=29)
    send(store, mailer)
    assert len(smtp.messages) == 1
    clock.advance(minutes=1)
    send(store, mailer)
    assert len(smtp.messages) == 2
    assert smtp.messages[1].subject == "New story #4 waiting for moderation on Next Round"


# Readers


def test_approval_emails_the_writer_who_asked_with_link_and_one_click_unsubscribe(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = add(store, name="Ada", email=READER, notify=True)
    confirm_address(store, READER)
    approve(store, mailer, story.id)
    send(store, mailer)
    [mail] = smtp.messages
    assert mail.recipients == [READER]
    assert mail.subject == "Your story is published on Next Round"
    assert f"{SITE_URL}/handling-job-rejection/#story-{story.id}" in mail.body
    link = mail.message["List-Unsubscribe"]
    assert link.startswith(f"<{SITE_URL}/stories/unsubscribe?token=") and link.endswith(">")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in mail.body
    assert mail.message["Auto-Submitted"] == "auto-generated"


def test_no_reader_mail_without_the_box_ticked_or_before_approval(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    unticked = add(store, email=None, notify=False)
    pending = add(store, email=READER, notify=True, body_markdown="Still waiting for a moderator.")
    rejected = add(store, email=READER, notify=True, body_markdown="This one gets rejected, sadly.")
    spam = add(store, email=READER, notify=True, body_markdown="Buy cheap watches here, friends.")
    approve(store, mailer, unticked.id)
    moderation.reject(store, [rejected.id], "off topic")
    moderation.mark_spam(store, [spam.id])
    send(store, mailer)
    assert smtp.messages == []
    assert store.get(pending.id).status is Status.PENDING


def test_rejecting_a_published_story_calls_off_its_unsent_mail_and_reapproval_sends_once(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = add(store, email=READER, notify=True)
    confirm_address(store, READER)
    approve(store, mailer, story.id)
    moderation.reject(store, [story.id])
    send(store, mailer)
    assert smtp.messages == []
    approve(store, mailer, story.id)
    send(store, mailer)
    moderation.reject(store, [story.id])
    approve(store, mailer, story.id)
    send(store, mailer)
    assert [m.subject for m in smtp.messages] == ["Your story is published on Next Round"]


@pytest.mark.parametrize("undo", ["admin", "command line"])
def test_undoing_an_approval_calls_off_its_unsent_mail(
    store: Store, mailer: Mailer, smtp: Collector, undo: str
) -> None:
    story = add(store, email=READER, notify=True)
    confirm_address(store, READER)
    approve(store, mailer, story.id)
    if undo == "admin":  # the Undo form: only if the story is still where the approval put it
        service.return_to_pending(store, None, [story.id], expected=Status.APPROVED)
    else:  # `comments.requeue`
        service.move_each(store, None, [story.id], Status.PENDING)
    send(store, mailer)
    assert smtp.messages == []
    assert store.get(story.id).status is Status.PENDING
    approve(store, mailer, story.id)  # decided again: the writer hears once
    send(store, mailer)
    assert [m.subject for m in smtp.messages] == ["Your story is published on Next Round"]


def test_an_author_reply_emails_the_writer_who_asked(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = add_with_status(store, Status.APPROVED, name="Ada", email=READER, notify=True)
    confirm_address(store, READER)
    quiet = add_with_status(store, Status.APPROVED, body_markdown="I did not tick the box.")
    reply = moderation.reply(
        store, story.id, "Thank you, Ada!", "Next Round editors", mailer=mailer
    )
    moderation.reply(store, quiet.id, "Thanks to you too.", "Next Round editors", mailer=mailer)
    send(store, mailer)
    [mail] = smtp.messages
    assert mail.recipients == [READER]
    assert mail.subject == "Next Round editors replied to your story on Next Round"
    assert "> Thank you, Ada!" in mail.body
    assert f"{SITE_URL}/handling-job-rejection/#story-{story.id}" in mail.body
    assert f"#story-{reply.id}" in mail.body
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_moderation_service_approve_and_reply_queue_mail(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = add(store, email=READER, notify=True)
    confirm_address(store, READER)
    service.approve(store, None, [story.id], mailer)
    service.reply(store, None, story.id, "Well told.", "Next Round editors", mailer)
    assert cli.send_mail(store, mailer, transport(mailer.settings)) == ["Sent 2 emails."]
    assert len(smtp.messages) == 2


# When the mail server is down


def test_a_server_that_is_down_leaves_the_mail_queued_reported_and_retried_once_up(
    db_url: str, store: Store, clock: FakeClock
) -> None:
    port = free_port()
    mailer = make_mailer(mail_settings(db_url, port))
    submit(store, mailer)
    report = send(store, mailer)
    assert (report.sent, report.retrying) == (0, 1)
    [row] = outbox(store)
    assert row.last_error == f"Connection refused to 127.0.0.1:{port}"
    assert (row.attempts, row.next_attempt, row.sent_at) == (
        1,
        clock.now + timedelta(minutes=1),
        None,
    )
    assert row.recipient == MODERATOR
    listing = cli.pending_listing(store)
    assert listing.endswith(
        f"1 email waiting to be sent; last error: Connection refused to 127.0.0.1:{port} "
        f"(attempt 1, next try {clock.now + timedelta(minutes=1):%H:%M} UTC)"
    )

    server, collector = start_smtp(port)
    try:
        send(store, mailer)
        assert collector.messages == []  # not due yet: the backoff holds
        clock.advance(minutes=1)
        assert str(send(store, mailer)) == "Sent 1 email."
        send(store, mailer)
        clock.advance(hours=1)
        send(store, mailer)
    finally:
        server.stop()
    assert len(collector.messages) == 1
    [row] = outbox(store)
    assert (row.attempts, row.sent_at, row.recipient, row.last_error) == (
        2,
        clock.now - timedelta(hours=1),
        None,
        None,
    )
    assert cli.mail_report(store) == []


def test_backoff_grows_and_the_mail_is_given_up_and_reported(
    db_url: str, store: Store, clock: FakeClock
) -> None:
    mailer = make_mailer(mail_settings(db_url, free_port()))
    submit(store, mailer)
    for attempt in range(1, MAX_ATTEMPTS):
        send(store, mailer)
        [row] = outbox(store)
        assert (row.attempts, row.next_attempt) == (attempt, clock.now + retry_delay(attempt))
        clock.now = row.next_attempt
    report = send(store, mailer)
    assert report.failed == 1
    [row] = outbox(store)
    assert (row.attempts, row.failed_at, row.recipient, row.body) == (
        MAX_ATTEMPTS,
        clock.now,
        None,
        None,
    )
    [line] = cli.mail_report(store)
    assert line.startswith("1 email could not be sent and was given up; last: 'New story #1")
    assert f"after {MAX_ATTEMPTS} attempts, error: Connection refused" in line
    assert [retry_delay(n) for n in (1, 2, 3, 4, 7, 50)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=24),
        timedelta(hours=24),
    ]


def test_a_refused_recipient_is_given_up_at_once_without_keeping_the_address(
    db_url: str, store: Store
) -> None:
    server, collector = start_smtp(refuse={READER})
    try:
        mailer = make_mailer(mail_settings(db_url, server.port))
        story = add(store, email=READER, notify=True)
        other = add(
            store, email="bo@example.org", notify=True, body_markdown="Bo's own story here."
        )
        approve(store, mailer, story.id, other.id)
        report = send(store, mailer)
    finally:
        server.stop()
    assert (report.sent, report.failed) == (1, 1)
    assert collector.messages[0].recipients == ["bo@example.org"]
    failed = [row for row in outbox(store) if row.failed_at is not None]
    assert [row.story_id for row in failed] == [story.id]
    assert READER not in failed[0].last_error
    assert failed[0].last_error.startswith(f"Recipient refused by 127.0.0.1:{server.port}: 550")


# Several senders


def test_two_senders_at_once_deliver_every_message_exactly_once(
    db_url: str, store: Store, clock: FakeClock
) -> None:
    server, collector = start_smtp(delay=0.005)
    try:
        mailer = make_mailer(mail_settings(db_url, server.port))
        for number in range(30):
            submit(store, mailer, body_markdown=f"Story number {number} for the two senders.")
        stores = [open_store(db_url, clock=clock) for _ in range(2)]
        go = threading.Barrier(2)
        tallies: list[int] = []

        def run(own: Store) -> None:
            go.wait()
            tallies.append(send(own, mailer, batch=3).sent)

        threads = [threading.Thread(target=run, args=(own,)) for own in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for own in stores:
            own.close()
    finally:
        server.stop()
    subjects = [m.subject for m in collector.messages]
    assert len(subjects) == 30 and len(set(subjects)) == 30
    assert sum(tallies) == 30
    assert all(row.sent_at is not None for row in outbox(store))


def test_the_background_worker_delivers_without_being_asked(
    db_url: str, store: Store, mailer: Mailer, smtp: Collector
) -> None:
    submit(store, mailer)  # queued at the fake clock's 2025 start: due for the worker's real clock
    worker = MailWorker(mailer, interval=0.05, transport=transport(mailer.settings))
    worker.start()
    try:
        for _ in range(200):
            if smtp.messages:
                break
            threading.Event().wait(0.02)
    finally:
        worker.stop()
    assert len(smtp.messages) == 1


def test_a_message_that_cannot_be_built_is_given_up_and_the_rest_still_go(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = submit(store, mailer, email=READER)
    confirm_address(store, READER)
    with store.writing() as tx:
        # A reader's message: the moderator's are written afresh when sent.
        broken = Draft(
            kind=MailKind.PUBLISHED,
            recipient=READER,
            subject="Line one\nBcc: someone@else.example",  # header injection: refused
            body="x\n",
            story_id=story.id,
        )
        tx.add_mail(broken, tx.clock())
    report = send(store, mailer)
    assert (report.sent, report.failed) == (1, 1)
    assert len(smtp.messages) == 1 and "Bcc" not in smtp.messages[0].message
    failed = [row for row in outbox(store) if row.failed_at is not None]
    assert [row.last_error.split(":")[0] for row in failed] == ["Could not build the email"]
