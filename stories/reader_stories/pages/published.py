"""What a build publishes: the approved stories, read from a SQLite file with the standard library.

A build only reads, and only approved stories. Opening the store as the intake does means loading
SQLAlchemy (13 MiB in every build process) and checking migrations with a write lock, a cost
every build would pay again. So a SQLite database whose migrations are all applied is read here,
read-only, with the same query as the store's (the same rows, in the same order); this module
lives outside the store's package so that importing it does not import SQLAlchemy. Anything
else, PostgreSQL or a database that still needs a migration, goes through the store, which
migrates it as before.
"""

from __future__ import annotations

import os
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from reader_stories.models import Status, Story, story_from_record

# Every migration in migrations.MIGRATIONS, by name (a test of the store holds the two lists
# equal). A database with exactly these is in the shape the query below expects.
CURRENT_MIGRATIONS = (
    "0001_create_stories",
    "0002_create_moderation_events",
    "0003_create_rate_events",
    "0004_create_outbox",
    "0005_create_page_pushes",
    "0006_confirm_email_addresses",
    "0007_remember_imported_comments",
    "0008_record_returns_to_pending",
    "0009_count_helpful_marks",
    "0010_follow_articles",
    "0011_hold_stories_apart",
    "0012_revisions_and_digests",
    "0013_moderators",
    "0014_blocks_and_closed_articles",
    "0015_spam_scores",
    "0016_index_stories_by_hold",
    "0017_spend_proofs_once",
    "0018_keep_spam_scores",
)

_MOMENTS = ("created", "updated", "approved_at")
_CLOSED = "SELECT article FROM closed_articles"
T = TypeVar("T")
# The Markdown a reader typed is left out (''): pages and feeds show the sanitised HTML, and a
# large site's build would hold every story's text twice.
_APPROVED = """
SELECT s.id, s.article, s.parent_id, s.name, '' AS body_markdown, s.body_html, s.status,
       s.created, s.updated, s.approved_at, s.edited, s.author_reply, s.reject_reason, s.notify,
       s.helpful, s.held, s.held_reasons
FROM stories AS s LEFT OUTER JOIN stories AS parent ON parent.id = s.parent_id
WHERE s.status = :approved AND (s.parent_id IS NULL OR parent.status = :approved){articles}
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


def approved_for_build(url: str, articles: Collection[str] | None = None) -> list[Story]:
    """Every published story and reply, grouped by article, without emails and without the
    Markdown they were written in (body_markdown is ""); with `articles`, those articles' only.
    """
    reader = ApprovedReader(url)
    try:
        return reader(articles)
    finally:
        reader.close()


class ApprovedReader:
    """What a build publishes, read as often as the build asks, over one connection per process.

    A large build reads its stories a window of articles at a time (pages/windows.py), in the
    build's process and in the stories' worker forked from it (pages/ahead.py). A connection is
    never used across a fork: each process opens its own on its first read and keeps it to the
    end.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._pid: int | None = None
        self._db: sqlite3.Connection | None = None
        self._store: Any = None
        self._inherited: list[Any] = []  # a parent's connections, kept open and never used

    def __call__(self, articles: Collection[str] | None = None) -> list[Story]:
        """Like approved_for_build."""

        def from_store(tx: Any) -> list[Story]:
            found = tx.approved_all() if articles is None else tx.approved_for_articles(articles)
            return [replace(story, body_markdown="") for story in found]

        return self._read(
            lambda db: _stories(db.execute(*_approved_query(articles))), from_store, []
        )

    def closed(self) -> frozenset[str]:
        """The articles whose stories are closed: their pages show a note instead of the form."""
        return self._read(
            lambda db: frozenset(slug for (slug,) in db.execute(_CLOSED)),
            lambda tx: frozenset(closed.article for closed in tx.closed_articles()),
            frozenset(),
        )

    def _read(
        self,
        from_sqlite: Callable[[sqlite3.Connection], T],
        from_store: Callable[[Any], T],
        nothing: T,
    ) -> T:
        """One read: the SQLite query when the file is current, else the store's own reading,
        which migrates the database first (and names what is wrong); ``nothing`` when there
        is no database yet."""
        if self._pid != os.getpid():
            self._inherited += [c for c in (self._db, self._store) if c is not None]
            self._db, self._store, self._pid = None, None, os.getpid()
            self._db = self._open_sqlite()
        if self._db is not None:
            try:
                return from_sqlite(self._db)
            except sqlite3.Error:  # locked or damaged: the store says what is wrong
                pass
        elif self._store is None and self._missing():
            return nothing  # nothing is created: a build on a fresh checkout leaves no database
        if self._store is None:
            from reader_stories.store import open_store

            self._store = open_store(self.url)
        with self._store.reading() as tx:
            return from_store(tx)

    def close(self) -> None:
        """Close this process's connection; a later read opens another."""
        if self._pid == os.getpid():
            if self._db is not None:
                self._db.close()
            if self._store is not None:
                self._store.close()
        self._db, self._store, self._pid = None, None, None

    def _missing(self) -> bool:
        path = sqlite_file(self.url)
        return path is not None and not path.exists()

    def _open_sqlite(self) -> sqlite3.Connection | None:
        """A read-only connection to a SQLite file whose migrations are all applied, or None
        (PostgreSQL, a file still to migrate or create, one that cannot be read)."""
        path = sqlite_file(self.url)
        if path is None or not path.exists():
            return None
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return None
        try:
            applied = tuple(name for (name,) in db.execute("SELECT name FROM migrations"))
        except sqlite3.Error:  # no migrations table yet, locked, damaged
            applied = ()
        if sorted(applied) != sorted(CURRENT_MIGRATIONS):
            db.close()
            return None
        return db


def _approved_query(articles: Collection[str] | None) -> tuple[str, dict[str, Any]]:
    values: dict[str, Any] = {"approved": Status.APPROVED.value}
    if articles is None:
        return _APPROVED.format(articles=""), values
    names = [f"a{index}" for index in range(len(articles))]
    values.update(zip(names, articles, strict=True))
    wanted = ", ".join(f":{name}" for name in names) or "NULL"
    return _APPROVED.format(articles=f" AND s.article IN ({wanted})"), values


def _stories(cursor: sqlite3.Cursor) -> list[Story]:
    """The rows as the store's readers see them (columns as attributes, times as aware UTC:
    SQLAlchemy keeps naive UTC as text on SQLite), made into stories. A large build reads tens
    of thousands of rows, so each is a named tuple made once per query's columns."""
    names = tuple(column[0] for column in cursor.description)
    row_type, moments = _row_type(names), [names.index(name) for name in _MOMENTS]
    stories = []
    for values in cursor:
        fields = list(values)
        for index in moments:
            if fields[index] is not None:
                fields[index] = _aware_utc(fields[index])
        stories.append(story_from_record(row_type._make(fields), public=True))
    return stories


def _aware_utc(stored: str) -> datetime:
    """A stored naive UTC time, aware. Parsed with its offset written out, it is aware at once:
    `.replace(tzinfo=UTC)` after the parse took seven times as long as the parse itself, three
    times a row."""
    try:
        moment = datetime.fromisoformat(stored + "+00:00")
    except ValueError:  # it carries an offset already, or is in another form: read as before
        moment = None
    if moment is not None and moment.tzinfo is UTC:  # a date alone ignores the offset
        return moment
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


@cache
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names)
