"""Migration 0012 on a store that already holds stories and follows, on SQLite and PostgreSQL:
follows keep what they had and hear per story, and writers' changes have a table of their own
that goes with its story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, inspect, text

from reader_stories.store import open_store
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


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
        with store.writing() as tx:
            tx.delete(story_id, actor="moderator")
            assert tx.revision(story_id) is None  # the foreign key took it with the story
