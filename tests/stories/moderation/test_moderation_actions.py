"""Moderation: every transition allowed or refused, all-or-nothing batches, history."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
import store_calls as calls
from stories_support import START, FakeClock, add, add_with_status

from reader_stories.errors import (
    InvalidTransition,
    StoryMoved,
    StoryNotFound,
    ValidationFailed,
)
from reader_stories.models import Action, Status, Story
from reader_stories.moderation import actions as moderation
from reader_stories.moderation.edit_rules import MODERATOR, EditRules
from reader_stories.store import Store

RULES = EditRules(max_links=3, author_name="Next Round")

ACTIONS: dict[Status, Callable[..., list[Story]]] = {
    Status.APPROVED: moderation.approve,
    Status.REJECTED: moderation.reject,
    Status.SPAM: moderation.mark_spam,
}
ALLOWED = {
    (Status.PENDING, Status.APPROVED),
    (Status.PENDING, Status.REJECTED),
    (Status.PENDING, Status.SPAM),
    (Status.APPROVED, Status.REJECTED),
    (Status.APPROVED, Status.SPAM),
    (Status.REJECTED, Status.APPROVED),
    (Status.REJECTED, Status.SPAM),
    (Status.SPAM, Status.APPROVED),
    (Status.SPAM, Status.REJECTED),
}
ALL_PAIRS = list(itertools.product(Status, ACTIONS))


def test_the_transition_table_is_the_documented_one() -> None:
    table = {(f, t) for f, targets in moderation.ALLOWED_TRANSITIONS.items() for t in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("start", "target"), sorted(ALLOWED))
def test_allowed_transition(store: Store, clock: FakeClock, start: Status, target: Status) -> None:
    story = add_with_status(store, start)
    clock.advance(hours=1)
    [moved] = ACTIONS[target](store, [story.id], actor="mia")
    assert moved.status is target
    assert store.get(story.id) == moved
    assert moved.approved_at == (clock.now if target is Status.APPROVED else None)
    last = calls.events(store, story.id)[-1]
    assert (last.action.value, last.actor, last.at) == (target.value, "mia", clock.now)


@pytest.mark.parametrize(("start", "target"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_refused_transition(store: Store, start: Status, target: Status) -> None:
    story = add_with_status(store, start)
    history = calls.events(store, story.id)
    verb = moderation.VERBS[target]
    with pytest.raises(InvalidTransition) as refused:
        ACTIONS[target](store, [story.id])
    assert str(refused.value) == f"Cannot {verb} story {story.id}: it is {start.value}"
    assert (refused.value.story_id, refused.value.status) == (story.id, start.value)
    assert store.get(story.id) == story
    assert calls.events(store, story.id) == history


def test_reject_keeps_the_reason_and_approval_clears_it(store: Store) -> None:
    story = add(store)
    [rejected] = moderation.reject(store, [story.id], "Names a colleague")
    assert rejected.reject_reason == "Names a colleague"
    assert calls.events(store, story.id)[-1].note == "Names a colleague"
    [approved] = moderation.approve(store, [story.id])
    assert approved.reject_reason is None


def test_a_batch_with_one_bad_transition_changes_nothing(store: Store) -> None:
    first, done, last = add(store), add_with_status(store, Status.APPROVED), add(store)
    with pytest.raises(InvalidTransition, match=f"story {done.id}: it is approved"):
        moderation.approve(store, [first.id, done.id, last.id])
    assert [s.id for s in store.pending()] == [last.id, first.id]  # newest first
    assert [len(calls.events(store, s.id)) for s in (first, last)] == [1, 1]


@pytest.mark.parametrize(
    "act",
    [
        lambda store, ids: moderation.approve(store, ids),
        lambda store, ids: moderation.reject(store, ids, "no"),
        lambda store, ids: moderation.mark_spam(store, ids),
        lambda store, ids: moderation.delete(store, ids),
    ],
    ids=["approve", "reject", "spam", "delete"],
)
def test_an_unknown_id_in_a_batch_changes_nothing(
    store: Store, act: Callable[[Store, list[int]], object]
) -> None:
    known = add(store)
    with pytest.raises(StoryNotFound, match=r"^No story with id 404$"):
        act(store, [known.id, 404])
    assert store.get(known.id) == known
    assert len(calls.events(store, known.id)) == 1


@pytest.mark.parametrize(
    "act",
    [
        lambda store, ids: moderation.approve(store, ids, expected=Status.PENDING),
        lambda store, ids: moderation.reject(store, ids, "no", expected=Status.PENDING),
        lambda store, ids: moderation.mark_spam(store, ids, expected=Status.PENDING),
        lambda store, ids: moderation.delete(store, ids, expected=Status.PENDING),
    ],
    ids=["approve", "reject", "spam", "delete"],
)
def test_a_story_moderated_meanwhile_is_left_as_the_other_moderator_left_it(
    store: Store, act: Callable[[Store, list[int]], object]
) -> None:
    """The page showed both as pending; someone approved one since. Nothing changes."""
    waiting, decided = add(store), add(store)
    moderation.approve(store, [decided.id])
    decided = store.get(decided.id)
    with pytest.raises(StoryMoved) as moved:
        act(store, [waiting.id, decided.id])
    assert str(moved.value) == (
        f"Story #{decided.id} is now approved, not pending as on your page: it was moderated "
        "meanwhile. Look at it again before deciding"
    )
    assert store.get(waiting.id) == waiting and store.get(decided.id) == decided
    assert len(calls.events(store, waiting.id)) == 1


def test_a_story_still_where_the_page_showed_it_is_moved(store: Store) -> None:
    shown = add_with_status(store, Status.APPROVED)
    (rejected,) = moderation.reject(store, [shown.id], "asked", expected=Status.APPROVED)
    assert rejected.status == Status.REJECTED


def test_a_batch_changes_every_story_together(store: Store) -> None:
    stories = [add(store) for _ in range(3)]
    ids = [s.id for s in stories]
    moved = moderation.mark_spam(store, [*ids, ids[0]])
    assert [s.id for s in moved] == ids
    assert calls.pending_count(store) == 0


def test_an_empty_batch_is_a_mistake(store: Store) -> None:
    with pytest.raises(ValueError, match="at least one"):
        moderation.approve(store, [])


def test_edit_rerenders_cleans_and_marks_edited(store: Store, clock: FakeClock) -> None:
    story = add(store)
    clock.advance(minutes=3)
    text = "  Shorter, but long enough,\r\nwith a \u202ebreak.  "
    edited = moderation.edit(store, story.id, text, rules=RULES, actor="mo")
    assert edited.body_markdown == "Shorter, but long enough,\nwith a break."
    assert edited.body_html == "<p>Shorter, but long enough,<br>\nwith a break.</p>"
    assert edited.edited and edited.status is Status.PENDING
    last = calls.events(store, story.id)[-1]
    assert (last.action, last.actor, last.at) == (Action.EDITED, "mo", clock.now)
    assert clock.now > START


def test_edit_refuses_an_empty_body_and_unknown_ids(store: Store) -> None:
    story = add(store)
    with pytest.raises(ValidationFailed, match=re.escape(MODERATOR.story_empty)):
        moderation.edit(store, story.id, " \n ", rules=RULES)
    with pytest.raises(StoryNotFound):
        moderation.edit(store, 77, "Fine text for a story.", rules=RULES)
    assert store.get(story.id) == story


def test_reply_publishes_an_author_reply_under_the_story(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    reply = moderation.reply(store, story.id, "We are glad it worked out.", "Sam (editor)")
    assert (reply.parent_id, reply.status, reply.author_reply) == (story.id, Status.APPROVED, True)
    assert (reply.name, reply.article, reply.email) == ("Sam (editor)", story.article, None)
    assert reply.approved_at is not None
    [event] = calls.events(store, reply.id)
    assert (event.action, event.actor, event.note) == (
        Action.REPLIED,
        "Sam (editor)",
        f"reply to story {story.id}",
    )
    assert [s.id for s in store.approved_for_article(story.article)] == [story.id, reply.id]


def test_a_reply_to_a_reply_goes_under_the_story(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    first = moderation.reply(store, story.id, "First answer.", "Sam")
    second = moderation.reply(store, first.id, "Second answer.", "Sam")
    assert second.parent_id == story.id


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.SPAM])
def test_reply_to_an_unpublished_story_is_refused(store: Store, status: Status) -> None:
    story = add_with_status(store, status)
    with pytest.raises(InvalidTransition) as refused:
        moderation.reply(store, story.id, "Thanks!", "Sam")
    assert str(refused.value) == f"Cannot reply to story {story.id}: it is {status.value}"
    assert store.approved_all() == []


def test_delete_a_reply_and_its_story_in_one_call(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    reply = moderation.reply(store, story.id, "Thanks!", "Sam")
    other = add(store)
    assert moderation.delete(store, [reply.id, story.id]) == [reply.id, story.id]
    assert store.pending() == [other]
    assert calls.events(store, story.id)[-1].action is Action.DELETED


def test_show_returns_the_story_and_its_history(store: Store) -> None:
    story = add(store)
    moderation.reject(store, [story.id], "Off topic", actor="mia")
    shown, history = moderation.show(store, story.id)
    assert shown.status is Status.REJECTED
    assert [(e.action, e.actor) for e in history] == [
        (Action.SUBMITTED, "reader"),
        (Action.REJECTED, "mia"),
    ]
