"""The outbox in the store, on SQLite and PostgreSQL: queue, claim, settle, cancel, forget."""

from __future__ import annotations

from datetime import timedelta

from notify_support import MODERATOR, confirm_address, outbox
from sqlalchemy import inspect
from stories_support import FakeClock, add, add_with_status

from reader_stories.models import Status
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import privacy
from reader_stories.notify.records import Draft, MailKind
from reader_stories.store import Store

READER = "ada@example.org"


def draft(story_id: int | None, kind: MailKind = MailKind.MODERATOR, **changes) -> Draft:
    values = {
        "kind": kind,
        "recipient": MODERATOR if kind == MailKind.MODERATOR else READER,
        "subject": f"About story {story_id}",
        "body": "Body text\n",
        "story_id": story_id,
        "unsubscribe_url": None,
        **changes,
    }
    return Draft(**values)


def queue(store: Store, the_draft: Draft, delay: timedelta = timedelta(0)) -> int:
    with store.writing() as tx:
        return tx.add_mail(the_draft, tx.clock() + delay)


def test_the_outbox_table_has_the_documented_columns(store: Store) -> None:
    columns = {c["name"] for c in inspect(store.engine).get_columns("outbox")}
    assert columns >= {
        "id",
        "kind",
        "recipient",
        "subject",
        "body",
        "created",
        "attempts",
        "next_attempt",
        "last_error",
        "sent_at",
    }


def test_a_claim_takes_due_mail_once_and_counts_the_attempt(store: Store, clock: FakeClock) -> None:
    story = add(store)
    first = queue(store, draft(story.id))
    queue(store, draft(story.id), delay=timedelta(minutes=5))
    with store.writing() as tx:
        claimed = tx.claim_mail("a" * 32, clock.now + timedelta(minutes=15), 10)
    assert [(m.id, m.attempts, m.recipient) for m in claimed] == [(first, 1, MODERATOR)]
    with store.writing() as tx:
        assert tx.claim_mail("b" * 32, clock.now + timedelta(minutes=15), 10) == []


def test_an_abandoned_claim_runs_out_and_the_mail_is_due_again(
    store: Store, clock: FakeClock
) -> None:
    queue(store, draft(add(store).id))
    with store.writing() as tx:
        [taken] = tx.claim_mail("dead" * 8, clock.now + timedelta(minutes=15), 10)
    clock.advance(minutes=16)
    with store.writing() as tx:
        [again] = tx.claim_mail("live" * 8, clock.now + timedelta(minutes=15), 10)
        # The sender that died cannot settle it any more: the claim is someone else's.
        assert tx.mark_mail_sent([taken.id], "dead" * 8) == 0
        assert tx.mark_mail_sent([again.id], "live" * 8) == 1
    assert (again.id, again.attempts) == (taken.id, 2)


def test_sent_mail_keeps_no_address_body_or_link(store: Store, clock: FakeClock) -> None:
    story = add(store, email=READER, notify=True)
    confirm_address(store, READER)
    queue(store, draft(story.id, MailKind.PUBLISHED, unsubscribe_url="https://x.example/u"))
    with store.writing() as tx:
        [message] = tx.claim_mail("t" * 32, clock.now, 10)
        tx.mark_mail_sent([message.id], "t" * 32)
    [row] = outbox(store)
    assert (row.recipient, row.body, row.unsubscribe_url, row.claim) == (None, None, None, None)
    assert (row.sent_at, row.next_attempt, row.subject) == (clock.now, None, "About story 1")


def test_failed_mail_keeps_the_error_for_the_report_but_not_the_address(
    store: Store, clock: FakeClock
) -> None:
    queue(store, draft(add(store, email=READER, notify=True).id, MailKind.PUBLISHED))
    confirm_address(store, READER)
    with store.writing() as tx:
        [message] = tx.claim_mail("t" * 32, clock.now, 10)
        tx.mark_mail_failed([message.id], "t" * 32, "Recipient refused")
        state = tx.outbox_state()
    [row] = outbox(store)
    assert (row.recipient, row.body, row.failed_at, row.last_error) == (
        None,
        None,
        clock.now,
        "Recipient refused",
    )
    assert (state.waiting, state.failed) == (0, 1)
    assert state.failed_problem is not None and state.failed_problem.attempts == 1


def test_outbox_state_names_the_most_tried_waiting_error(store: Store, clock: FakeClock) -> None:
    story = add(store)
    queue(store, draft(story.id))
    queue(store, draft(story.id), delay=timedelta(hours=1))
    with store.writing() as tx:
        [message] = tx.claim_mail("t" * 32, clock.now, 10)
        tx.mark_mail_retry([message.id], "t" * 32, "Connection refused", clock.now + timedelta(1))
        state = tx.outbox_state()
    assert (state.waiting, state.failed) == (2, 0)
    assert state.next_attempt == clock.now + timedelta(hours=1)
    problem = state.waiting_problem
    assert problem is not None
    assert (problem.last_error, problem.attempts, problem.at) == (
        "Connection refused",
        1,
        clock.now + timedelta(days=1),
    )


def test_deleting_a_story_deletes_its_mail(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED, email=READER, notify=True)
    queue(store, draft(story.id, MailKind.PUBLISHED))
    moderation.delete(store, [story.id])
    assert outbox(store) == []


def test_forgetting_an_address_takes_its_queued_mail_too(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED, email=READER, notify=True)
    queue(store, draft(story.id, MailKind.PUBLISHED))
    privacy.forget_email(store, READER.upper())
    assert outbox(store) == []


def test_unsubscribe_forgets_the_address_on_every_story_and_drops_its_mail(store: Store) -> None:
    first = add_with_status(store, Status.APPROVED, email=READER, notify=True)
    second = add(store, email="ADA@example.org", notify=True, body_markdown="Another story here.")
    other = add(store, email="bo@example.org", notify=True, body_markdown="Bo wrote this one.")
    queue(store, draft(first.id, MailKind.PUBLISHED))
    queue(store, draft(other.id, MailKind.PUBLISHED, recipient="bo@example.org"))
    moderator_mail = queue(store, draft(second.id))
    with store.writing() as tx:
        assert tx.unsubscribe(READER) == 2
    assert [(s.email, s.notify) for s in map(store.get, (first.id, second.id))] == [
        (None, False),
        (None, False),
    ]
    assert store.get(other.id).email == "bo@example.org"
    assert [row.id for row in outbox(store)] == [2, moderator_mail]


def test_prune_forgets_old_sent_mail_and_keeps_unsent(store: Store, clock: FakeClock) -> None:
    story = add(store)
    queue(store, draft(story.id))
    with store.writing() as tx:
        [message] = tx.claim_mail("t" * 32, clock.now, 10)
        tx.mark_mail_sent([message.id], "t" * 32)
    waiting = queue(store, draft(story.id), delay=timedelta(days=90))
    clock.advance(days=31)
    with store.writing() as tx:
        assert tx.prune_mail(clock.now - timedelta(days=30)) == 1
    assert [row.id for row in outbox(store)] == [waiting]
