"""What a build publishes: the approved stories, read from a SQLite file with the standard library.

A build only reads, and only approved stories. Opening the store as the intake does means loading
SQLAlchemy and checking migrations with a write lock, which was a twentieth of a large build.
So a SQLite database whose migrations are all applied is read here, read-only, with one query
(the same rows, in the same order, as the store's approved_all). Anything else, PostgreSQL or a
database that still needs a migration, goes through the store, which migrates it as before.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from nextround.stories.models import Status, Story

# Every migration in migrations.MIGRATIONS, by name (tests/stories/test_published.py holds the
# two lists equal). A database with exactly these is in the shape the query below expects.
CURRENT_MIGRATIONS = (
    "0001_create_stories",
    "0002_create_moderation_events",
    "0003_create_rate_events",
    "0004_create_outbox",
)

_APPROVED = """
SELECT s.id, s.article, s.parent_id, s.name, s.body_markdown, s.body_html, s.status,
       s.created, s.updated, s.approved_at, s.edited, s.author_reply, s.reject_reason, s.notify
FROM stories AS s LEFT OUTER JOIN stories AS parent ON parent.id = s.parent_id
WHERE s.status = :approved AND (s.parent_id IS NULL OR parent.status = :approved)
ORDER BY s.article, s.created, s.id
"""


def sqlite_file(url: str) -> Path | None:
    """The file behind a sqlite:/// URL (as SQLAlchemy reads it), or None for anything else."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    database = url[len(prefix) :].split("?", 1)[0]
    if database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


def approved_for_build(url: str) -> list[Story]:
    """Every published story and reply, grouped by article, without emails."""
    path = sqlite_file(url)
    if path is None:
        return _through_store(url)
    if not path.exists():
        return []  # nothing is created: a build on a fresh checkout leaves no database behind
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            applied = tuple(name for (name,) in db.execute("SELECT name FROM migrations"))
            if sorted(applied) != sorted(CURRENT_MIGRATIONS):
                return _through_store(url)
            rows = db.execute(_APPROVED, {"approved": Status.APPROVED.value}).fetchall()
    except sqlite3.Error:  # no migrations table yet, locked, damaged: the store says what is wrong
        return _through_store(url)
    return [_story(row) for row in rows]


def _through_store(url: str) -> list[Story]:
    from nextround.stories.store import approved_stories

    return approved_stories(url)


def _moment(value: str | None) -> datetime | None:
    """SQLAlchemy keeps naive UTC as text on SQLite; the store hands out aware UTC."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _story(row: tuple) -> Story:  # type: ignore[type-arg]
    (id_, article, parent_id, name, markdown, html, status) = row[:7]
    (created, updated, approved_at, edited, author_reply, reason, notify) = row[7:]
    return Story(
        id=id_,
        article=article,
        parent_id=parent_id,
        name=name,
        body_markdown=markdown,
        body_html=html,
        status=Status(status),
        created=_moment(created),  # type: ignore[arg-type]
        updated=_moment(updated),  # type: ignore[arg-type]
        approved_at=_moment(approved_at),
        edited=bool(edited),
        author_reply=bool(author_reply),
        reject_reason=reason,
        email=None,
        notify=bool(notify),
    )
