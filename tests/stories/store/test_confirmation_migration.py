"""Migration 0006 on a store that already holds stories and mail, on SQLite and PostgreSQL.

Existing addresses come out unconfirmed (they must be asked before any more email), queued
mail keeps its ids and contents, the outbox takes the new "confirm" kind and still refuses
unknown ones, and its ids never come back.
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


def mail_row(story_id: int, kind: str = "published") -> dict[str, object]:
    return {
        "kind": kind,
        "story_id": story_id,
        "recipient": "Ada@Example.org",
        "subject": "Your story is published",
        "body": "Body\n",
        "unsubscribe_url": "https://x.example/u",
        "created": NOW,
        "attempts": 0,
        "next_attempt": NOW,
    }


def test_an_existing_store_is_migrated_with_its_mail_kept(db_url: str) -> None:
    before = [name for name, _ in MIGRATIONS].index("0006_confirm_email_addresses")
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
                    " body_hash, status, edited, author_reply, created, updated) VALUES ('a',"
                    " 'Ada', 'Ada@Example.org', :yes, 'x', '<p>x</p>', :hash, 'approved', :no,"
                    " :no, :now, :now)"
                ),
                {"yes": True, "no": False, "hash": "0" * 64, "now": NOW.replace(tzinfo=None)},
            )
            story_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
            for _ in range(3):
                conn.execute(insert(schema.outbox).values(mail_row(story_id)))
            conn.execute(text("DELETE FROM outbox WHERE id = 3"))
    finally:
        engine.dispose()

    with open_store(db_url) as store:
        with store.reading() as tx:
            rows = list(tx.conn.execute(select(schema.outbox).order_by(schema.outbox.c.id)))
            assert [(r.id, r.kind, r.recipient, r.body) for r in rows] == [
                (1, "published", "Ada@Example.org", "Body\n"),
                (2, "published", "Ada@Example.org", "Body\n"),
            ]
            assert tx.address_confirmed("ada@example.org") is False
            # Not confirmed yet: the sender leaves the queued news where it is.
            assert tx.outbox_state().held == 2
        with store.writing() as tx:
            added = tx.conn.execute(insert(schema.outbox).values(mail_row(story_id, "confirm")))
            assert added.inserted_primary_key[0] == 4  # id 3 is not used again
        with pytest.raises(IntegrityError), store.writing() as tx:
            tx.conn.execute(insert(schema.outbox).values(mail_row(story_id, "newsletter")))
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("outbox")}
        assert {"ix_outbox_next_attempt", "ix_outbox_story_id"} <= indexes
        with store.writing() as tx:
            tx.confirm_address("ADA@example.org")
            assert tx.outbox_state().held == 0
