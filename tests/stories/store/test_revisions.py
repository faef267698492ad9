"""A writer's change to a published story waits beside it, within the window, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import store_calls as calls
from stories_support import FakeClock, add

from reader_stories.errors import ChangeWindowClosed, InvalidTransition, NoChangeWaiting
from reader_stories.models import Action, Status, Story
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import changes, privacy
from reader_stories.store import Store

DAY = timedelta(hours=24)
FIRST = "The interview went badly and I said nothing useful at all."
SECOND = "The second interview went well, and I said what I meant."


def published(store: Store, **changes: object) -> Story:
    story = add(store, name="Ada", body_markdown=FIRST, **changes)
    moderation.approve(store, [story.id])
    return store.get(story.id)


def revise(store: Store, story_id: int, text: str = SECOND, name: str = "Ada L.") -> None:
    with store.writing() as tx:
        tx.revise_by_writer(story_id, text, name, DAY)


def test_a_change_waits_beside_the_published_story(store: Store, clock: FakeClock) -> None:
    story = published(store)
    clock.advance(hours=3)
    revise(store, story.id)
    after = store.get(story.id)
    assert (after.body_markdown, after.name, after.edited) == (FIRST, "Ada", False)
    with store.reading() as tx:
        revision = tx.revision(story.id)
        assert [r.story_id for r in tx.revisions_waiting()] == [story.id]
    assert revision is not None
    assert (revision.name, revision.body_markdown, revision.created) == (
        "Ada L.",
        SECOND,
        clock.now,
    )
    assert "second interview" in revision.body_html
    last = calls.events(store, story.id)[-1]
    assert (last.action, last.actor) == (Action.EDITED, "reader")
    assert last.note is not None and "waiting for a moderator" in last.note


def test_a_second_change_replaces_the_first(store: Store) -> None:
    story = published(store)
    revise(store, story.id)
    revise(store, story.id, "A third version of the story, calmer than both before it.", "Ada")
    with store.reading() as tx:
        waiting = tx.revisions_waiting()
    assert [(r.story_id, r.name) for r in waiting] == [(story.id, "Ada")]
    assert waiting[0].body_markdown.startswith("A third version")


def test_the_window_ends_exactly_when_it_says(store: Store, clock: FakeClock) -> None:
    story = published(store)
    clock.advance(hours=24)
    revise(store, story.id)  # the last moment still counts
    clock.advance(seconds=1)
    with pytest.raises(ChangeWindowClosed) as closed, store.writing() as tx:
        tx.revise_by_writer(story.id, "Too late to change this story, sadly.", "Ada", DAY)
    assert closed.value.hours == 24
    with store.reading() as tx:
        revision = tx.revision(story.id)
    assert revision is not None and revision.body_markdown == SECOND  # the earlier one stays


def test_no_window_means_no_changes_and_only_published_stories_are_revised(
    store: Store,
) -> None:
    story = published(store)
    with pytest.raises(ChangeWindowClosed), store.writing() as tx:
        tx.revise_by_writer(story.id, SECOND, "Ada", timedelta(0))
    waiting = add(store, body_markdown="Still waiting for a moderator to read this one.")
    with pytest.raises(InvalidTransition), store.writing() as tx:
        tx.revise_by_writer(waiting.id, SECOND, "Ada", DAY)
    reply = moderation.reply(store, story.id, "Thank you for telling us this.", "Editor")
    with pytest.raises(InvalidTransition), store.writing() as tx:
        tx.revise_by_writer(reply.id, SECOND, "Ada", DAY)
    with store.reading() as tx:
        assert tx.revisions_waiting() == []


def test_approving_the_change_publishes_it_as_edited(store: Store) -> None:
    story = published(store)
    revise(store, story.id)
    changed = changes.approve(store, story.id)
    assert (changed.body_markdown, changed.name, changed.edited) == (SECOND, "Ada L.", True)
    assert changed.status is Status.APPROVED and "second interview" in changed.body_html
    with store.reading() as tx:
        assert tx.revision(story.id) is None
    last = calls.events(store, story.id)[-1]
    assert (last.action, last.actor, last.note) == (
        Action.EDITED,
        "moderator",
        "writer's change approved",
    )
    with pytest.raises(NoChangeWaiting):
        changes.approve(store, story.id)


def test_rejecting_the_change_keeps_the_published_story(store: Store) -> None:
    story = published(store)
    revise(store, story.id)
    kept = changes.reject(store, story.id, "it names the company")
    assert store.get(story.id) == kept == story
    with store.reading() as tx:
        assert tx.revision(story.id) is None
    note = calls.events(store, story.id)[-1].note
    assert note == "writer's change rejected; the published version stays (it names the company)"
    with pytest.raises(NoChangeWaiting):
        changes.reject(store, story.id)


def test_a_story_taken_off_the_page_hides_its_change_until_it_is_back(store: Store) -> None:
    story = published(store)
    revise(store, story.id)
    moderation.return_to_pending(store, [story.id])
    with store.reading() as tx:
        assert tx.revisions_waiting() == []
    with pytest.raises(NoChangeWaiting):
        changes.approve(store, story.id)
    moderation.approve(store, [story.id])
    assert [c.story.id for c in changes.waiting(store)] == [story.id]


def test_deleting_or_forgetting_the_story_takes_its_change_with_it(store: Store) -> None:
    kept = published(store, email="ada@mail.example")
    other = published(store)
    revise(store, kept.id)
    revise(store, other.id)
    privacy.delete_by_receipt(store, other.id)
    privacy.forget_email(store, "ada@mail.example")
    with store.reading() as tx:
        assert tx.revision(kept.id) is None and tx.revision(other.id) is None
        assert tx.revisions_waiting() == []
