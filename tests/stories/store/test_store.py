"""The store: submissions, queries for moderators and the build, duplicates, failures."""

from __future__ import annotations

import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import store_calls as calls
from stories_support import START, FakeClock, add, add_with_status, submission

from reader_stories.errors import (
    DuplicateSubmission,
    QueueFull,
    StoreUnavailable,
    StoryNotFound,
    ValidationFailed,
)
from reader_stories.models import Action, Status, body_fingerprint
from reader_stories.store import Store, approved_stories, open_store
from reader_stories.validation import MSG_REPLY_UNAVAILABLE as REPLY_UNAVAILABLE


def test_a_submission_is_stored_pending_with_rendered_html(store: Store) -> None:
    story = add(store, body_markdown="It **hurt**, then it *helped*.\nTruly.", email="a@b.io")
    assert story.status is Status.PENDING
    assert (
        story.body_html == "<p>It <strong>hurt</strong>, then it <em>helped</em>.<br>\nTruly.</p>"
    )
    assert story.email == "a@b.io"
    assert (story.created, story.updated, story.approved_at) == (START, START, None)
    assert story.created.tzinfo is UTC
    assert not story.edited and not story.author_reply
    assert store.get(story.id) == story
    [event] = calls.events(store, story.id)
    assert (event.action, event.actor, event.note) == (Action.SUBMITTED, "reader", None)


def test_status_is_stored_as_text_and_unknown_text_is_refused(store: Store, db_path: Path) -> None:
    story = add(store)
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT status FROM stories WHERE id = ?", (story.id,)).fetchone() == (
            "pending",
        )
        with pytest.raises(sqlite3.IntegrityError, match="ck_stories_status"):
            raw.execute("UPDATE stories SET status = 'published' WHERE id = ?", (story.id,))
    raw.close()


def test_a_filled_honeypot_goes_straight_to_spam(store: Store) -> None:
    story = calls.add_submission(store, submission(honeypot=True))
    assert story.status is Status.SPAM
    assert store.pending() == [] and calls.pending_count(store) == 0
    assert calls.events(store, story.id)[0].note == "honeypot field filled"


def test_get_unknown_story_names_the_id(store: Store) -> None:
    with pytest.raises(StoryNotFound, match=r"^No story with id 999$"):
        store.get(999)


def test_pending_is_newest_first_and_limited(store: Store, clock: FakeClock) -> None:
    first, second, third = (add(store, clock, name=n) for n in ("One", "Two", "Three"))
    calls.set_status(store, second.id, Status.APPROVED, actor="m")
    assert [s.id for s in store.pending()] == [third.id, first.id]
    assert [s.id for s in store.pending(limit=1)] == [third.id]
    assert calls.pending_count(store) == 2


def test_approved_for_article_shows_only_published_threads(store: Store, clock: FakeClock) -> None:
    story = add_with_status(store, Status.APPROVED, email="secret@example.com")
    clock.advance(seconds=1)
    add_with_status(store, Status.PENDING)
    add_with_status(store, Status.REJECTED)
    add_with_status(store, Status.APPROVED, article="asking-for-a-raise")
    clock.advance(seconds=1)
    reply = calls.add_author_reply(
        store, story.id, "Thank you for this.", author_name="Ed", actor="ed"
    )
    published = store.approved_for_article("handling-job-rejection")
    assert [(s.id, s.parent_id) for s in published] == [(story.id, None), (reply.id, story.id)]
    assert all(s.email is None for s in published), "the build never sees emails"
    assert store.get(story.id).email == "secret@example.com"


def test_replies_under_a_hidden_story_stay_hidden(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    calls.add_author_reply(store, story.id, "Thank you for this.", author_name="Ed", actor="ed")
    calls.set_status(store, story.id, Status.REJECTED, actor="m")
    assert store.approved_for_article(story.article) == []
    assert store.approved_all() == []


def test_approved_all_and_counts_cover_every_article(store: Store, clock: FakeClock) -> None:
    a = add_with_status(store, Status.APPROVED, article="b-article")
    clock.advance(seconds=1)
    b = add_with_status(store, Status.APPROVED, article="a-article")
    clock.advance(seconds=1)
    c = add_with_status(store, Status.APPROVED, article="a-article")
    calls.add_author_reply(store, c.id, "Well said.", author_name="Ed", actor="ed")
    add_with_status(store, Status.SPAM, article="a-article")
    assert [s.id for s in store.approved_all() if s.parent_id is None] == [b.id, c.id, a.id]
    assert calls.approved_counts(store) == {"a-article": 2, "b-article": 1}


def test_reader_reply_joins_the_thread_of_an_approved_story(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    reply = add_with_status(store, Status.APPROVED, reply_to=story.id)
    reply_to_reply = add(store, reply_to=reply.id)
    assert reply.parent_id == story.id
    assert reply_to_reply.parent_id == story.id


@pytest.mark.parametrize("parent_status", [Status.PENDING, Status.REJECTED, Status.SPAM])
def test_reader_reply_to_an_unpublished_story_is_refused(
    store: Store, parent_status: Status
) -> None:
    parent = add_with_status(store, parent_status)
    with pytest.raises(ValidationFailed) as failed:
        add(store, reply_to=parent.id)
    assert [(e.field, e.message) for e in failed.value.errors] == [("reply_to", REPLY_UNAVAILABLE)]
    assert calls.pending_count(store) == (1 if parent_status is Status.PENDING else 0)


@pytest.mark.parametrize("other", [{"article": "asking-for-a-raise"}, {"reply_to": 12345}])
def test_reader_reply_to_another_article_or_nothing_is_refused(
    store: Store, other: dict[str, object]
) -> None:
    parent = add_with_status(store, Status.APPROVED)
    changes = {"reply_to": parent.id, **other}
    with pytest.raises(ValidationFailed, match=REPLY_UNAVAILABLE):
        add(store, **changes)


def test_the_same_story_again_soon_is_a_duplicate(store: Store, clock: FakeClock) -> None:
    within = timedelta(hours=1)
    first = calls.add_submission(store, submission(), duplicate_within=within)
    clock.advance(minutes=59)
    again = submission(body_markdown="  i WAS turned down twice\n\nbefore the offer came. ")
    with pytest.raises(DuplicateSubmission) as duplicate:
        calls.add_submission(store, again, duplicate_within=within)
    assert duplicate.value.existing_id == first.id
    assert calls.pending_count(store) == 1
    assert calls.recent_duplicate(store, first.article, again.body_hash, within) == first.id
    calls.set_status(store, first.id, Status.APPROVED, actor="moderator")
    with pytest.raises(DuplicateSubmission) as published:
        calls.add_submission(store, again, duplicate_within=within)
    assert (published.value.existing_id, published.value.existing_status) == (first.id, "approved")


def test_a_duplicate_needs_same_article_and_recent_time(store: Store, clock: FakeClock) -> None:
    within = timedelta(hours=1)
    calls.add_submission(store, submission(), duplicate_within=within)
    other = calls.add_submission(
        store, submission(article="asking-for-a-raise"), duplicate_within=within
    )
    clock.advance(minutes=61)
    later = calls.add_submission(store, submission(), duplicate_within=within)
    assert {other.status, later.status} == {Status.PENDING}
    assert calls.recent_duplicate(store, "nowhere", body_fingerprint("x"), within) is None


def test_a_full_queue_refuses_new_stories_but_still_traps_bots(store: Store) -> None:
    for name in ("One", "Two"):
        calls.add_submission(store, submission(name=name), max_pending=2)
    with pytest.raises(QueueFull, match="2 stories waiting"):
        calls.add_submission(store, submission(name="Three"), max_pending=2)
    bot = calls.add_submission(store, submission(honeypot=True), max_pending=2)
    assert bot.status is Status.SPAM
    assert calls.pending_count(store) == 2


def test_rate_events_are_shared_by_stores_on_one_file(db_url: str, clock: FakeClock) -> None:
    with open_store(db_url, clock=clock) as one, open_store(db_url, clock=clock) as two:
        calls.record_rate_event(one, "net-a")
        clock.advance(minutes=1)
        calls.record_rate_event(two, "net-a")
        calls.record_rate_event(two, "net-b")
        since = START - timedelta(seconds=1)
        assert calls.count_rate_events(one, "net-a", since) == 2
        assert calls.count_rate_events(two, "net-a", since) == 2
        assert calls.count_rate_events(one, "net-a", START + timedelta(seconds=30)) == 1
        assert calls.prune_rate_events(two, START + timedelta(seconds=30)) == 1
        assert calls.count_rate_events(one, "net-a", since) == 1


def test_deleting_removes_replies_but_keeps_history(store: Store, db_path: Path) -> None:
    story = add_with_status(store, Status.APPROVED)
    reply = calls.add_author_reply(
        store, story.id, "Thank you for this.", author_name="Ed", actor="ed"
    )
    assert calls.delete(store, story.id, actor="m") == [story.id, reply.id]
    for gone in (story.id, reply.id):
        with pytest.raises(StoryNotFound):
            store.get(gone)
    assert calls.events(store, story.id)[-1].action is Action.DELETED
    assert calls.events(store, reply.id)[-1].note == f"deleted with story {story.id}"


def test_ids_are_never_reused_after_a_delete(store: Store) -> None:
    story = add(store)
    calls.delete(store, story.id, actor="m")
    assert add(store).id > story.id


def test_edit_body_rerenders_and_marks_edited(store: Store, clock: FakeClock) -> None:
    story = add(store)
    clock.advance(minutes=5)
    edited = calls.edit_body(store, story.id, "Now in _italics_ please.", actor="m")
    assert edited.body_html == "<p>Now in <em>italics</em> please.</p>"
    assert edited.edited and edited.updated == START + timedelta(minutes=5)
    assert (
        calls.recent_duplicate(
            store, story.article, body_fingerprint("now in _italics_ please."), timedelta(hours=1)
        )
        == story.id
    )


def test_status_set_back_to_pending_is_recorded_as_returned(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    back = calls.set_status(store, story.id, Status.PENDING, actor="m")
    assert (back.status, back.approved_at, back.reject_reason) == (Status.PENDING, None, None)
    assert [e.action for e in calls.events(store, story.id)][-1] is Action.RETURNED


def test_approved_stories_on_a_missing_file_returns_nothing_and_creates_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere" / "comments.sqlite3"
    assert approved_stories(f"sqlite:///{missing}") == []
    assert approved_stories(f"sqlite:///{missing}", "handling-job-rejection") == []
    assert list(tmp_path.iterdir()) == []


def test_approved_stories_reads_an_existing_file(store: Store, db_url: str) -> None:
    published = add_with_status(store, Status.APPROVED, email="x@example.com")
    add_with_status(store, Status.PENDING, article="asking-for-a-raise")
    assert [s.id for s in approved_stories(db_url)] == [published.id]
    assert [s.email for s in approved_stories(db_url, published.article)] == [None]
    assert approved_stories(db_url, "asking-for-a-raise") == []


def test_a_locked_database_raises_store_unavailable(db_path: Path, db_url: str) -> None:
    with open_store(db_url, busy_timeout=0.05) as store:
        add(store)
        holder = sqlite3.connect(db_path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreUnavailable, match="locked"):
                add(store)
            assert calls.pending_count(store) == 1, "WAL readers are not blocked by a writer"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert add(store).id == 2


def test_a_write_transaction_takes_the_write_lock_before_reading(
    store: Store, db_path: Path
) -> None:
    """Check-then-insert (duplicates, queue size, rate limits) must not race another writer."""
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with store.writing(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        with store.reading():
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_database_folder_that_cannot_be_created_is_unavailable(tmp_path: Path) -> None:
    from reader_stories.errors import StoreUnavailable

    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreUnavailable, match="cannot create the folder"):
        open_store(f"sqlite:///{tmp_path / 'file' / 'db' / 'comments.sqlite3'}")
