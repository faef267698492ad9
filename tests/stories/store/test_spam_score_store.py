"""Every scored story keeps its spam score and reasons, held or not, on SQLite and PostgreSQL;
a story never scored reads as None, and migration 0018 adds the columns to a store that
already holds stories, leaving them unscored."""

from __future__ import annotations

from datetime import UTC, datetime

import store_calls as calls
from sqlalchemy import create_engine, inspect, text
from stories_support import FakeClock, add

from reader_stories.models import Hold, HoldKind, SpamScore, Status
from reader_stories.store import Store, open_store
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LOW = SpamScore(1, ("a link (+1)",))
HIGH = SpamScore(6, ("a link shortener (bit.ly) (+3)", "spam phrasing: “earn $” (+3)"))
SUSPECTED = Hold(HoldKind.SUSPECTED, ("spam score 6 (held from 5)", *HIGH.reasons))


def test_a_queued_and_a_held_story_both_keep_their_score(store: Store, clock: FakeClock) -> None:
    queued = add(store, clock, spam=LOW)
    held = add(store, clock, spam=HIGH, hold=SUSPECTED, body_markdown="Earn $ at bit.ly/x now")
    assert (queued.spam, held.spam) == (LOW, HIGH)  # as returned by the insert
    with store.reading() as tx:
        assert tx.get(queued.id).spam == LOW and tx.get(queued.id).hold is None
        assert tx.get(held.id).spam == HIGH and tx.get(held.id).hold == SUSPECTED


def test_a_score_of_nothing_found_is_kept_apart_from_never_scored(
    store: Store, clock: FakeClock
) -> None:
    clean = add(store, clock, spam=SpamScore(0))
    negative = add(store, clock, spam=SpamScore(-2, ("the browser solved the proof of work (-2)",)))
    never = add(store, clock, body_markdown="A story from before scores were kept.")
    with store.reading() as tx:
        assert tx.get(clean.id).spam == SpamScore(0, ())
        assert tx.get(negative.id).spam == SpamScore(
            -2, ("the browser solved the proof of work (-2)",)
        )
        assert tx.get(never.id).spam is None


def test_the_score_stays_through_decisions_and_a_release(store: Store, clock: FakeClock) -> None:
    held = add(store, clock, spam=HIGH, hold=SUSPECTED)
    with store.writing() as tx:
        tx.release_held(held.id, actor="Sam")
    with store.reading() as tx:
        assert tx.get(held.id).spam == HIGH
    calls.set_status(store, held.id, Status.SPAM, actor="Sam")
    with store.reading() as tx:
        assert tx.get(held.id).spam == HIGH


def test_an_authors_reply_and_a_published_story_leave_the_score_out(
    store: Store, clock: FakeClock
) -> None:
    story = add(store, clock, spam=LOW)
    calls.set_status(store, story.id, Status.APPROVED, actor="Sam")
    reply = calls.add_author_reply(store, story.id, "Thank you.", author_name="Ed", actor="Sam")
    assert reply.spam is None
    [published, answer] = store.approved_all()
    assert (published.id, answer.id) == (story.id, reply.id)
    assert published.spam is None and published.email is None  # what the build reads


def test_an_existing_store_gets_the_columns_and_its_stories_stay_unscored(db_url: str) -> None:
    before = [name for name, _ in MIGRATIONS].index("0018_keep_spam_scores")
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    engine = create_engine(db_url)
    try:
        apply_migrations(engine, MIGRATIONS[:before])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stories (article, name, email, notify, body_markdown, body_html,"
                    " body_hash, status, edited, author_reply, created, updated, held,"
                    " held_reasons) VALUES ('a', 'Ada', NULL, :no, 'x', '<p>x</p>', :hash,"
                    " 'pending', :no, :no, :now, :now, :held, :reasons)"
                ),
                {
                    "no": False,
                    "hash": "0" * 64,
                    "now": NOW.replace(tzinfo=None),
                    "held": "suspected",
                    "reasons": "spam score 6 (held from 5)",
                },
            )
            old_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
    finally:
        engine.dispose()

    with open_store(db_url, clock=lambda: NOW) as store:
        columns = {c["name"]: c["nullable"] for c in inspect(store.engine).get_columns("stories")}
        assert columns["spam_score"] is True and columns["spam_reasons"] is True
        with store.reading() as tx:
            old = tx.get(old_id)
            assert old.spam is None
            assert old.hold == Hold(HoldKind.SUSPECTED, ("spam score 6 (held from 5)",))
        new = add(store, spam=LOW, body_markdown="Written after the upgrade.")
        with store.reading() as tx:
            assert tx.get(new.id).spam == LOW
