"""Stories held apart from the queue (models.Hold), on SQLite and PostgreSQL.

A held story waits like any other but is listed apart, never counts toward the queue's cap and
is never refused by it; releasing it or deciding on it takes it out of its bin, and the history
says what happened.
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime

import pytest
import store_calls as calls
from sqlalchemy import create_engine, text
from stories_support import FakeClock, add, submission

from reader_stories.errors import InvalidTransition, QueueFull
from reader_stories.models import Action, Hold, HoldKind, Status
from reader_stories.store import Store, StoryFilter, open_store
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations
from reader_stories.web.admin.queries import listing

SUSPECTED = Hold(HoldKind.SUSPECTED, ("4 links to link shorteners", "the same text on 3 articles"))


def listed(store: Store, *, held: bool) -> list[int]:
    with store.reading() as tx:
        return [story.id for story in tx.pending(held=held)]


def test_a_held_story_is_stored_with_its_reasons_and_listed_apart(
    store: Store, clock: FakeClock
) -> None:
    queued = add(store, clock)
    held = add(store, clock, hold=SUSPECTED, body_markdown="Cheap watches, click here please now")
    assert held.status == Status.PENDING and held.hold == SUSPECTED
    with store.reading() as tx:
        assert tx.get(held.id).hold == SUSPECTED  # read back: kind and every reason kept
        assert (tx.pending_count(), tx.held_count()) == (1, 1)
    assert listed(store, held=False) == [queued.id]
    assert listed(store, held=True) == [held.id]
    [submitted] = calls.events(store, held.id)
    assert submitted.action == Action.SUBMITTED
    assert submitted.note == "held apart: 4 links to link shorteners; the same text on 3 articles"


def test_held_stories_neither_fill_the_queue_nor_are_refused_by_its_cap(
    store: Store, clock: FakeClock
) -> None:
    blocked = Hold(HoldKind.BLOCKED, ("its writer is blocked",))
    for number in range(3):
        add(store, clock, hold=blocked, body_markdown=f"A held story number {number} of three.")
    calls.add_submission(store, submission(body_markdown="The first real story in the queue."))
    with pytest.raises(QueueFull):
        calls.add_submission(
            store, submission(body_markdown="A second real story, refused."), max_pending=1
        )
    still_held = submission(body_markdown="Held even with the queue full.", hold=blocked)
    story = calls.add_submission(store, still_held, max_pending=1)
    assert story.hold == blocked
    with store.reading() as tx:
        assert (tx.pending_count(), tx.held_count()) == (1, 4)


def test_releasing_puts_a_held_story_in_the_queue_and_says_so(
    store: Store, clock: FakeClock
) -> None:
    held = add(store, clock, hold=Hold(HoldKind.LISTED, ('it contains "casino"',)))
    with store.writing() as tx:
        released = tx.release_held(held.id, actor="Sam")
    assert released.hold is None and released.status == Status.PENDING
    assert listed(store, held=False) == [held.id] and listed(store, held=True) == []
    last = calls.events(store, held.id)[-1]
    assert (last.action, last.actor, last.note) == (Action.RETURNED, "Sam", "released from listed")


def test_only_a_held_waiting_story_can_be_released(store: Store, clock: FakeClock) -> None:
    queued = add(store, clock)
    with (
        pytest.raises(InvalidTransition, match="it is in the queue already"),
        store.writing() as tx,
    ):
        tx.release_held(queued.id, actor="Sam")
    assert len(calls.events(store, queued.id)) == 1  # nothing recorded


def test_a_decision_takes_a_story_out_of_its_bin(store: Store, clock: FakeClock) -> None:
    held = add(store, clock, hold=SUSPECTED)
    spam = calls.set_status(store, held.id, Status.SPAM, actor="Sam")
    assert spam.hold is None
    back = calls.set_status(store, held.id, Status.PENDING, actor="Sam")  # undone: the queue
    assert back.hold is None and listed(store, held=False) == [held.id]


def test_a_filled_honeypot_goes_to_spam_whatever_the_hold(store: Store, clock: FakeClock) -> None:
    story = add(store, clock, honeypot=True, hold=SUSPECTED)
    assert (story.status, story.hold) == (Status.SPAM, None)


def test_stories_from_before_holds_are_in_the_queue_after_the_upgrade(db_url: str) -> None:
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    engine = create_engine(db_url)
    before = [name for name, _ in MIGRATIONS].index("0011_hold_stories_apart")
    try:
        apply_migrations(engine, MIGRATIONS[:before])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stories (article, name, notify, body_markdown, body_html,"
                    " body_hash, status, edited, author_reply, created, updated) VALUES ('a',"
                    " 'Ada', :no, 'x', '<p>x</p>', :hash, 'pending', :no, :no, :now, :now)"
                ),
                {"no": False, "hash": "0" * 64, "now": datetime(2025, 3, 1, 9, 0)},
            )
    finally:
        engine.dispose()
    with closing(open_store(db_url)) as upgraded, upgraded.reading() as tx:
        [story] = tx.pending()
        assert (story.name, story.hold, tx.held_count()) == ("Ada", None, 0)


def test_the_admins_queue_leaves_held_stories_out_and_counts_them(
    store: Store, clock: FakeClock
) -> None:
    queued = add(store, clock)
    add(store, clock, hold=SUSPECTED, body_markdown="Win a prize now, visit my link today.")
    page = listing(store, StoryFilter(), 1, lambda _slug: None)  # the pending queue
    assert [item.story.id for item in page.items] == [queued.id]
    assert (page.total, page.counts[Status.PENDING], page.held) == (1, 1, 1)
