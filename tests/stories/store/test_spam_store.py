"""The spam score's store and the held bin's upkeep, on SQLite and PostgreSQL: texts' shapes
across articles, the log of holds and the day's count, room in a full bin, releasing and its
undo, the purge, and the decisions the classifier learns from."""

from __future__ import annotations

from datetime import timedelta

import pytest
import store_calls as calls
from stories_support import FakeClock, add, add_with_status

from reader_stories.errors import StoryMoved
from reader_stories.models import Hold, HoldKind, Status
from reader_stories.moderation import held
from reader_stories.moderation.spam.score import BIN_FULL_ACTOR, Score, arrived, make_room
from reader_stories.moderation.spam.signals import Signal
from reader_stories.store import Store
from reader_stories.store.spam import SHAPES_KEPT

SUSPECTED = Hold(HoldKind.SUSPECTED, ("spam score 6 (held from 5)", "3 links (+2)"))
SCORE = Score((Signal("links", 2, "3 links"), Signal("phrases", 3, "spam phrasing: “x”")), "s1")


def hold_arrival(store: Store, clock: FakeClock, hold: Hold = SUSPECTED, **changes: object) -> int:
    """A story stored held, as the intake stores one: its shape and its hold logged."""
    story = add(store, clock, hold=hold, **changes)
    with store.writing() as tx:
        arrived(tx, story, SCORE)
    return story.id


def test_the_same_shape_on_other_articles_is_counted_for_a_day(
    store: Store, clock: FakeClock
) -> None:
    for article in ("one", "two", "two"):
        story = add(store, clock, article=article)
        with store.writing() as tx:
            tx.record_shape(story.id, "shape-a", article)
    with store.reading() as tx:
        since = tx.clock() - timedelta(days=1)
        assert tx.shape_articles("shape-a", "three", since) == 2
        assert tx.shape_articles("shape-a", "two", since) == 1  # its own article aside
        assert tx.shape_articles("shape-b", "three", since) == 0
    clock.advance(days=1, seconds=1)
    with store.reading() as tx:
        assert tx.shape_articles("shape-a", "three", tx.clock() - timedelta(days=1)) == 0


def test_a_proof_is_spent_once_until_it_expires_and_the_purge_forgets_it(
    store: Store, clock: FakeClock
) -> None:
    until = clock() + timedelta(hours=6)
    with store.writing() as tx:
        assert tx.spend_proof("signature-1", until) is True
        assert tx.spend_proof("signature-1", until) is False
        assert tx.spend_proof("signature-2", until) is True
    with store.writing() as tx:  # a refused story's savepoint gives its proof back
        with pytest.raises(RuntimeError), tx.savepoint():
            assert tx.spend_proof("signature-3", until) is True
            raise RuntimeError("refused")
        assert tx.spend_proof("signature-3", until) is True
    clock.advance(hours=6, seconds=1)
    with store.writing() as tx:
        assert tx.spend_proof("signature-2", clock() + timedelta(hours=6)) is True  # expired
    held.purge(store)
    with store.writing() as tx:
        assert tx.prune_spent_proofs(clock()) == 0  # the purge left only signature-2's new row
        assert tx.spend_proof("signature-1", clock() + timedelta(hours=6)) is True


def test_the_days_count_says_how_many_were_held_of_which_kind_and_why(
    store: Store, clock: FakeClock
) -> None:
    hold_arrival(store, clock)
    hold_arrival(store, clock, body_markdown="Another suspected story, long enough.")
    blocked = Hold(HoldKind.BLOCKED, ("its writer is blocked",))
    story = add(store, clock, hold=blocked, body_markdown="A blocked writer's story, long.")
    with store.writing() as tx:
        arrived(tx, story, None)
    summary = held.summary(store)
    assert summary.total == 3
    assert summary.kinds == {HoldKind.SUSPECTED: 2, HoldKind.BLOCKED: 1}
    assert held.describe_summary(summary) == (
        "Held over the last day: 3 (2 suspected, 1 blocked); found: links 2, spam phrasing 2, "
        "a blocked writer 1."
    )
    clock.advance(days=1, seconds=1)
    assert held.describe_summary(held.summary(store)) == "Held over the last day: none."


def test_a_full_bin_drops_its_oldest_suspected_stories_first(
    store: Store, clock: FakeClock
) -> None:
    blocked = Hold(HoldKind.BLOCKED, ("its writer is blocked",))
    kept = add(store, clock, hold=blocked, body_markdown="The oldest, but blocked, not suspected.")
    first, second, third = (
        hold_arrival(store, clock, body_markdown=f"Suspected story number {n} here.") for n in "123"
    )
    with store.writing() as tx:
        assert make_room(tx, max_held=4) == [first]  # 4 held: one goes, so a new one fits
        assert make_room(tx, max_held=4) == []  # 3 held now: room for one more
        assert make_room(tx, max_held=2) == [second, third]
    assert calls.events(store, first)[-1].actor == BIN_FULL_ACTOR
    assert store.get(kept.id).hold == blocked  # only suspected stories make room


def test_release_puts_held_stories_in_the_queue_and_undo_puts_them_back(
    store: Store, clock: FakeClock
) -> None:
    story_id = hold_arrival(store, clock)
    [released] = held.release(store, [story_id])
    assert released.hold is None and released.status == Status.PENDING
    with store.reading() as tx:
        assert (tx.pending_count(), tx.held_count()) == (1, 0)
    [back] = held.hold_again(store, [story_id])
    assert back.hold == SUSPECTED  # the kind and every reason it arrived with
    notes = [e.note for e in calls.events(store, story_id)]
    assert notes[-2:] == ["released from suspected", "held again: a release undone"]


def test_release_and_its_undo_are_all_or_none(store: Store, clock: FakeClock) -> None:
    held_id = hold_arrival(store, clock)
    queued = add(store, clock, body_markdown="A story that waits in the queue already.")
    with pytest.raises(StoryMoved, match="is now in the queue, not held"):
        held.release(store, [held_id, queued.id])
    assert store.get(held_id).hold == SUSPECTED  # nothing was released
    held.release(store, [held_id])
    calls.set_status(store, held_id, Status.APPROVED, actor="moderator")
    with pytest.raises(StoryMoved, match="is now approved, not in the queue"):
        held.hold_again(store, [held_id])
    assert store.get(held_id).status == Status.APPROVED


def test_release_each_names_every_id_it_could_not_release(store: Store, clock: FakeClock) -> None:
    held_id = hold_arrival(store, clock)
    queued = add(store, clock, body_markdown="A story that waits in the queue already.")
    approved = add_with_status(store, Status.APPROVED, body_markdown="A published story here.")
    result = held.release_each(store, [held_id, queued.id, approved.id, 999])
    assert [s.id for s in result.done] == [held_id]
    assert [(s.story_id, s.why) for s in result.skipped] == [
        (queued.id, "it is in the queue already"),
        (approved.id, "it is approved, not held"),
    ]
    assert [m.story_id for m in result.missing] == [999]


def test_the_purge_drops_held_stories_after_their_own_days(store: Store, clock: FakeClock) -> None:
    old = hold_arrival(store, clock)
    clock.advance(days=10)
    recent = hold_arrival(store, clock, body_markdown="A recent suspected story, long enough.")
    waiting = add(store, clock, body_markdown="A reader's story in the queue, as old.")
    clock.advance(days=5)
    assert held.purge(store, days=14) == [old]
    with store.reading() as tx:
        assert tx.find(old) is None
    assert store.get(recent).hold == SUSPECTED
    assert store.get(waiting.id).status == Status.PENDING  # the queue keeps its 30 days
    with pytest.raises(ValueError, match="at least 1 day"):
        held.purge(store, days=0)


def test_the_classifier_learns_from_published_spam_and_released_stories(
    store: Store, clock: FakeClock
) -> None:
    published = add_with_status(store, Status.APPROVED, body_markdown="A published story here.")
    reply = calls.add_author_reply(
        store,
        published.id,
        "The author's own reply to it.",
        author_name="Editors",
        actor="moderator",
    )
    spam = add_with_status(store, Status.SPAM, body_markdown="Cheap watches, click here now.")
    released = hold_arrival(store, clock, body_markdown="Suspected, but a reader's story.")
    still_held = hold_arrival(store, clock, body_markdown="Suspected and still held, waiting.")
    waiting = add(store, clock, body_markdown="An undecided story in the queue.")
    held.release(store, [released])
    with store.reading() as tx:
        ham, spam_texts = tx.decided_texts(100)
    assert sorted(ham) == sorted([published.body_markdown, store.get(released).body_markdown])
    assert spam_texts == [spam.body_markdown]
    assert reply.body_markdown not in ham and waiting.body_markdown not in ham
    assert store.get(still_held).body_markdown not in ham


def test_a_flood_of_one_text_keeps_a_bounded_number_of_its_shapes(
    store: Store, clock: FakeClock
) -> None:
    for number in range(SHAPES_KEPT + 5):
        story = add(store, clock, article=f"article-{number}")
        with store.writing() as tx:
            tx.record_shape(story.id, "one-shape", story.article)
    with store.reading() as tx:
        since = tx.clock() - timedelta(days=1)
        assert tx.shape_articles("one-shape", "elsewhere", since) == SHAPES_KEPT
