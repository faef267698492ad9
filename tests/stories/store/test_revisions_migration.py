"""Migration 0012 on a store that already holds stories, follows and mail, on SQLite and
PostgreSQL: follows keep what they had and hear per story, queued mail keeps its ids and its
follow, the outbox takes the "change" kind (and still refuses unknown ones), and writers'
changes have a table of their own that goes with its story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from reader_stories.store import open_store, schema
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def mail_row(story_id: int, kind: str, follow_id: int | None = None) -> dict[str, object]:
    return {
        "kind": kind,
        "story_id": story_id,
        "recipient": "kit@example.org",
        "subject": "A new story",
        "body": "Body\n",
        "unsubscribe_url": "https://x.example/u",
        "created": NOW,
        "attempts": 0,
        "next_attempt": NOW,
        "follow_id": follow_id,
    }


def test_an_existing_store_gets_revisions_and_digest_follows(db_url: str) -> None:
    before = [name for name, _ in MIGRATIONS].index("0012_revisions_and_digests")
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    engine = create_engine(db_url)
    try:
        apply_migrations(engine, MIGRATIONS[:before])
        with engine.begin() as conn:
            naive = NOW.replace(tzinfo=None)
            conn.execute(
                text(
                    "INSERT INTO stories (article, name, email, notify, body_markdown, body_html,"
                    " body_hash, status, edited, author_reply, created, updated, approved_at)"
                    " VALUES ('a', 'Ada', NULL, :no, 'x', '<p>x</p>', :hash, 'approved', :no,"
                    " :no, :now, :now, :now)"
                ),
                {"no": False, "hash": "0" * 64, "now": naive},
            )
            conn.execute(
                text(
                    "INSERT INTO follows (article, email, confirmed, created)"
                    " VALUES ('a', 'kit@example.org', :yes, :now)"
                ),
                {"yes": True, "now": naive},
            )
            story_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
            follow_id = conn.execute(text("SELECT id FROM follows")).scalar_one()
            for _ in range(3):
                conn.execute(
                    insert(schema.outbox).values(mail_row(story_id, "follow_story", follow_id))
                )
            conn.execute(text("DELETE FROM outbox WHERE id = 3"))
            kept = list(conn.execute(select(schema.outbox).order_by(schema.outbox.c.id)))
    finally:
        engine.dispose()

    with open_store(db_url, clock=lambda: NOW + timedelta(hours=1)) as store:
        with store.reading() as tx:
            [follow] = tx.confirmed_followers("a")
            assert (follow.digest, follow.digest_since) == (False, None)
            assert tx.digests_due(NOW + timedelta(days=30)) == []
        with store.writing() as tx:
            tx.revise_by_writer(story_id, "A new telling of it.", "Ada", timedelta(hours=24))
        with store.reading() as tx:
            assert [r.story_id for r in tx.revisions_waiting()] == [story_id]
        assert "story_revisions" in inspect(store.engine).get_table_names()
        with store.reading() as tx:
            rows = list(tx.conn.execute(select(schema.outbox).order_by(schema.outbox.c.id)))
            assert rows == kept and [r.follow_id for r in rows] == [follow_id, follow_id]
        with store.writing() as tx:
            added = tx.conn.execute(insert(schema.outbox).values(mail_row(story_id, "change")))
            assert added.inserted_primary_key[0] == 4  # id 3 is not used again
        with pytest.raises(IntegrityError), store.writing() as tx:
            tx.conn.execute(insert(schema.outbox).values(mail_row(story_id, "newsletter")))
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("outbox")}
        assert {"ix_outbox_next_attempt", "ix_outbox_story_id", "ix_outbox_follow_id"} <= indexes
        with store.writing() as tx:
            tx.delete(story_id, actor="moderator")
            assert tx.revision(story_id) is None  # the foreign key took it with the story
