"""The story database: open it, and run short transactions on it.

``Store`` opens transactions; ``Tx`` runs the queries inside one, so moderation can change
several stories all-or-nothing. The queries live beside this file, one module per concern:
stories.py (stories and their history), rates.py (rate-limit events) and outbox.py (queued
mail), addresses.py (readers' addresses, confirmed or not), pushes.py (pages waiting to reach
a public site elsewhere), lookalikes.py (what a moderator's flags compare), imports.py (where
imported stories came from, comments kept aside), follows.py (readers following an article),
search.py (finding stories by status, article, writer, words or network), spam.py (the spam
score's log of holds, texts' shapes, and the held bin's upkeep), moderators.py (moderator
accounts), revisions.py (writers' changes to published stories, waiting for a moderator);
blocks.py (blocked writers, the list of words and domains that hold stories), closed.py
(articles closed to new stories), writers.py (one writer's stories), writelock.py (the lock
file the processes writing one SQLite file queue on); engine.py sets up SQLite or PostgreSQL,
schema.py and migrations.py hold the tables.
Everything other modules use is importable from here.

Writers queue: one write transaction at a time per process (a lock here), and across processes
a lock file and BEGIN IMMEDIATE on SQLite, or a transaction-level advisory lock on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, func, select

from reader_stories.errors import StoreUnavailable
from reader_stories.models import Story
from reader_stories.private_files import create_private
from reader_stories.store.addresses import AddressQueries
from reader_stories.store.blocks import BlockQueries
from reader_stories.store.closed import ClosedQueries
from reader_stories.store.engine import (
    DEFAULT_BUSY_TIMEOUT,
    DEFAULT_URL,
    Clock,
    create_store_engine,
    sqlite_path,
    unavailable_as_error,
    utc_now,
)
from reader_stories.store.follows import FollowQueries
from reader_stories.store.helpful import HelpfulQueries
from reader_stories.store.imports import ImportQueries
from reader_stories.store.lookalikes import LookalikeQueries
from reader_stories.store.migrations import WRITE_OPTION, apply_migrations
from reader_stories.store.moderators import ModeratorQueries, ModeratorRow
from reader_stories.store.outbox import OutboxQueries
from reader_stories.store.pushes import PushQueries
from reader_stories.store.rates import RateQueries
from reader_stories.store.revisions import RevisionQueries
from reader_stories.store.search import SearchQueries, StoryFilter
from reader_stories.store.spam import SpamQueries
from reader_stories.store.stories import READER_ACTOR, StoryQueries
from reader_stories.store.writelock import ProcessWriteLock
from reader_stories.store.writers import WriterQueries

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "DEFAULT_URL",
    "POSTGRES_WRITE_LOCK_KEY",
    "READER_ACTOR",
    "Clock",
    "LazyStore",
    "ModeratorRow",
    "Store",
    "StoryFilter",
    "Tx",
    "approved_stories",
    "open_store",
    "utc_now",
]

T = TypeVar("T")

# Any fixed 64-bit number other than the migrations' lock key.
POSTGRES_WRITE_LOCK_KEY = 7_264_110_518


def open_store(
    url: str = DEFAULT_URL,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    clock: Clock = utc_now,
) -> Store:
    """Open (creating the folder of a SQLite file if needed) and migrate the database.

    A new SQLite file is created owner-only (0600) before SQLite opens it: it holds readers'
    email addresses, and SQLite gives its -wal and -shm files the same permissions.
    """
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot create the folder {path.parent} for the story database: {exc.strerror}"
            ) from exc
        try:
            create_private(path)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot create the story database {path}: {exc.strerror}"
            ) from exc
    engine = create_store_engine(url, busy_timeout)
    try:
        with unavailable_as_error(engine.dialect.name):
            apply_migrations(engine)
    except BaseException:
        engine.dispose()
        raise
    process_lock = None if path is None else ProcessWriteLock.beside(path)
    return Store(engine, clock, busy_timeout, process_lock)


class LazyStore:
    """A store opened on first use, for the web apps: a mounted app gets no lifespan to open it,
    a failed open is retried at the next use, and ``close()`` lets the next use reopen it."""

    def __init__(
        self, url: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, clock: Clock = utc_now
    ) -> None:
        self.url = url
        self.busy_timeout = busy_timeout
        self.clock = clock
        self._store: Store | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Store:
        with self._lock:
            if self._store is None:
                try:
                    self._store = open_store(
                        self.url, busy_timeout=self.busy_timeout, clock=self.clock
                    )
                except OSError as exc:  # e.g. its folder cannot be created: down, not a bug
                    raise StoreUnavailable(f"Cannot open the story database: {exc}") from exc
            return self._store

    def close(self) -> None:
        """Release the database; safe to call twice."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def approved_stories(url: str = DEFAULT_URL, article: str | None = None) -> list[Story]:
    """What the build publishes: approved stories (all, or one article's), email left out.

    A SQLite file that does not exist yet means no stories: nothing is created, so a
    build on a fresh checkout leaves no stray database behind. A PostgreSQL database is
    opened (and migrated) as the intake would; one that is down is StoreUnavailable.
    """
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return []
    with open_store(url) as store:
        return store.approved_all() if article is None else store.approved_for_article(article)


class Tx(
    StoryQueries,
    RateQueries,
    OutboxQueries,
    AddressQueries,
    PushQueries,
    ImportQueries,
    HelpfulQueries,
    FollowQueries,
    LookalikeQueries,
    SearchQueries,
    ModeratorQueries,
    RevisionQueries,
    SpamQueries,
    BlockQueries,
    ClosedQueries,
    WriterQueries,
):
    """The queries, run on one connection inside one transaction (see Store.writing)."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self._kept: dict[str, Any] = {}
        self._savepoints = 0

    def once(self, key: str, read: Callable[[], T]) -> T:
        """``read()`` the first time ``key`` is asked for in this transaction, kept after. Only
        for what no other writer can change meanwhile: in a write transaction, which holds the
        database's write lock, for example the list of held words asked for every story of a
        batch."""
        if key not in self._kept:
            self._kept[key] = read()
        return cast(T, self._kept[key])

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an error inside undoes only what was written inside.

        Plain SAVEPOINT statements, which SQLite and PostgreSQL share: the intake takes one
        per story, and SQLAlchemy's begin_nested cost several times what the two statements
        do. The name is unique within the transaction, so savepoints may nest.
        """
        self._savepoints += 1
        name = f"story_sp_{self._savepoints}"
        self.conn.exec_driver_sql(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.exec_driver_sql(f"RELEASE SAVEPOINT {name}")


class Store:
    """A handle on the story database; cheap to keep for the life of a process."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock = utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        process_lock: ProcessWriteLock | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.busy_timeout = busy_timeout
        # Writers of one process queue here, in order, instead of polling the database lock:
        # SQLite's busy handler sleeps between tries, which made the slowest submissions under
        # load wait far longer than the writes in front of them took. Writers of several
        # processes on one SQLite file queue on ``process_lock`` (writelock.py) the same way.
        self._writers = threading.Lock()
        self._process_lock = process_lock

    def close(self) -> None:
        """Release pooled connections (and SQLite file handles)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Tx]:
        if not write:
            with self._open(write=False) as tx:
                yield tx
            return
        deadline = time.monotonic() + self.busy_timeout
        if not self._writers.acquire(timeout=self.busy_timeout):
            raise StoreUnavailable(
                f"The story database is busy: no write slot within {self.busy_timeout:g} s"
            )
        try:
            with self._other_processes_waited(deadline), self._open(write=True) as tx:
                yield tx
        finally:
            self._writers.release()

    @contextmanager
    def _other_processes_waited(self, deadline: float) -> Iterator[None]:
        """Wait for the writers of other processes in the kernel's queue, when there is one.
        Not free in time: BEGIN IMMEDIATE meets the lock and says busy, as it would alone."""
        if self._process_lock is None:
            yield
            return
        with self._process_lock.held(max(0.0, deadline - time.monotonic())):
            yield

    @contextmanager
    def _open(self, *, write: bool) -> Iterator[Tx]:
        with unavailable_as_error(self.engine.dialect.name), self.engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
            elif conn.dialect.name == "postgresql":
                # One snapshot for every query of the transaction (READ COMMITTED, PostgreSQL's
                # default, takes a new one per statement): an export or a page is never torn.
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                if write and conn.dialect.name == "postgresql":
                    # PostgreSQL's stand-in for BEGIN IMMEDIATE: one writer at a time.
                    conn.execute(select(func.pg_advisory_xact_lock(POSTGRES_WRITE_LOCK_KEY)))
                yield Tx(conn, self.clock)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read-only transaction: one consistent snapshot for several queries."""
        with self._transaction(write=False) as tx:
            yield tx

    @contextmanager
    def writing(self) -> Iterator[Tx]:
        """A write transaction: everything inside commits together or not at all."""
        with self._transaction(write=True) as tx:
            yield tx

    # One-call reads, each in its own transaction.

    def get(self, story_id: int) -> Story:
        with self.reading() as tx:
            return tx.get(story_id)

    def pending(self, limit: int | None = None) -> list[Story]:
        with self.reading() as tx:
            return tx.pending(limit)

    def approved_for_article(self, slug: str) -> list[Story]:
        with self.reading() as tx:
            return tx.approved_for_article(slug)

    def approved_all(self) -> list[Story]:
        with self.reading() as tx:
            return tx.approved_all()
