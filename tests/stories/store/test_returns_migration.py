"""Migration 0008 on a store that already holds a history, on SQLite and PostgreSQL.

The history keeps every row and id, takes the new "returned" action (a decision undone) and
still refuses actions nobody knows.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from reader_stories.models import Action, Status
from reader_stories.moderation import actions
from reader_stories.store import open_store
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

NOW = datetime(2025, 3, 1, 9, 0)
EVENT = (
    "INSERT INTO moderation_events (story_id, action, actor, at, note) "
    "VALUES (:story, :action, 'moderator', :at, NULL)"
)


def test_an_existing_history_is_kept_and_takes_returns(db_url: str) -> None:
    before = [name for name, _ in MIGRATIONS].index("0008_record_returns_to_pending")
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
                    " body_hash, status, edited, author_reply, created, updated, approved_at)"
                    " VALUES ('a', 'Ada', NULL, :no, 'x', '<p>x</p>', :hash, 'approved', :no,"
                    " :no, :now, :now, :now)"
                ),
                {"no": False, "hash": "0" * 64, "now": NOW},
            )
            story_id = conn.execute(text("SELECT id FROM stories")).scalar_one()
            for action in ("submitted", "approved"):
                conn.execute(text(EVENT), {"story": story_id, "action": action, "at": NOW})
            with pytest.raises(IntegrityError), conn.begin_nested():
                conn.execute(text(EVENT), {"story": story_id, "action": "returned", "at": NOW})
    finally:
        engine.dispose()

    with open_store(db_url) as store:
        [back] = actions.return_to_pending(store, [story_id], expected=Status.APPROVED)
        assert (back.status, back.approved_at) == (Status.PENDING, None)
        with store.reading() as tx:
            history = tx.events(story_id)
        assert [e.action for e in history] == [Action.SUBMITTED, Action.APPROVED, Action.RETURNED]
        assert [e.id for e in history][:2] == [1, 2]  # the rows kept their ids
        with pytest.raises(IntegrityError), store.writing() as tx:
            tx.conn.execute(
                text(EVENT), {"story": story_id, "action": "undone", "at": datetime.now(UTC)}
            )
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("moderation_events")}
        assert "ix_moderation_events_story_id" in indexes
