"""Migration 0010 on a store that already holds stories and mail, on SQLite and PostgreSQL.

Queued mail keeps its ids and contents (and belongs to no follow), the outbox takes the two
follower kinds and still refuses unknown ones, its ids never come back, and the new follows
table works at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from reader_stories.store import open_store, schema
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def mail_row(story_id: int | None, kind: str = "published", **more: object) -> dict[str, object]:
    return {
        "kind": kind,
        "story_id": story_id,
        "recipient": "ada@example.org",
        "subject": "Your story is published",
        "body": "Body\n",
        "unsubscribe_url": "https://x.example/u",
        "created": NOW,
        "attempts": 0,
        "next_attempt": NOW,
        **more,
    }


def test_an_existing_store_gets_follows_with_its_mail_kept(db_url: str) -> None:
    before = [name for name, _ in MIGRATIONS].index("0010_follow_articles")
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    engine = create_engine(db_url)
    old_outbox = [c for c in schema.outbox.columns if c.name != "follow_id"]
    try:
        apply_migrations(engine, MIGRATIONS[:before])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stories (article, name, email, notify, body_markdown, body_html,"
                    " body_hash, status, edited, author_reply, created, updated) VALUES ('a',"
                    " 'Ada', 'ada@example.org', :yes, 'x', '<p>x</p>', :hash, 'approved', :no,"
                    " :no, :now, :now)"
                ),
                {"yes": True, "no": False, "hash": "0" * 64, "now": NOW.replace(tzinfo=None)},
            )
            story_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
            for _ in range(3):
                conn.execute(insert(schema.outbox).values(mail_row(story_id)))
            conn.execute(text("DELETE FROM outbox WHERE id = 3"))
            kept = list(conn.execute(select(*old_outbox).order_by(schema.outbox.c.id)))
    finally:
        engine.dispose()

    with open_store(db_url) as store:
        with store.reading() as tx:
            rows = list(tx.conn.execute(select(schema.outbox).order_by(schema.outbox.c.id)))
            assert [tuple(r)[:-1] for r in rows] == [tuple(r) for r in kept]
            assert [r.follow_id for r in rows] == [None, None]
            assert tx.count_follows() == 0
        with store.writing() as tx:
            follow = tx.add_follow("a", "kit@example.org")
            confirm = mail_row(None, "follow_confirm", follow_id=follow.id)
            added = tx.conn.execute(insert(schema.outbox).values(confirm))
            assert added.inserted_primary_key[0] == 4  # id 3 is not used again
            tx.conn.execute(
                insert(schema.outbox).values(mail_row(story_id, "follow_story", follow_id=7))
            )
        with pytest.raises(IntegrityError), store.writing() as tx:
            tx.conn.execute(insert(schema.outbox).values(mail_row(story_id, "newsletter")))
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("outbox")}
        assert {"ix_outbox_next_attempt", "ix_outbox_story_id", "ix_outbox_follow_id"} <= indexes
        with store.writing() as tx:
            assert tx.end_follow(follow.id) == 1
            left = list(tx.conn.scalars(select(schema.outbox.c.id).order_by(schema.outbox.c.id)))
            assert left == [1, 2, 5]  # its own unsent mail went with it, nothing else
