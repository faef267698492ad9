"""The story database's engine: SQLite or PostgreSQL set up for durable, one-writer-at-a-time use.

On SQLite the database runs in WAL mode with ``synchronous=FULL``: once a write transaction has
committed, it survives a crash. Write transactions start with BEGIN IMMEDIATE so concurrent
processes queue on the busy timeout instead of failing half-way.

On PostgreSQL (``postgresql://...``, psycopg 3) ``lock_timeout`` plays the busy timeout, and the
store takes an advisory lock per write transaction (see store.py). A server that is down,
restarting or locked for longer than that is ``StoreUnavailable``, like a locked SQLite file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from reader_stories.errors import StoreUnavailable
from reader_stories.store.migrations import WRITE_OPTION

DEFAULT_URL = "sqlite:///var/comments.sqlite3"
DEFAULT_BUSY_TIMEOUT = 5.0

Clock = Callable[[], datetime]

# Words in driver errors that mean "try again later" rather than "the code is wrong".
_UNAVAILABLE_MARKERS = (
    "locked",
    "busy",
    "unable to open",
    "disk i/o",
    "could not connect",
    "connection refused",
    "server closed the connection",
    "timeout",
)
# PostgreSQL SQLSTATE classes that mean the server cannot serve us now: connection exception,
# insufficient resources, operator intervention (shutdown, restart), system error.
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
# Lock wait over lock_timeout, and a transaction the server rolled back so it may be retried.
_UNAVAILABLE_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
# libpq rounds connect_timeout below 2 seconds up to 2.
_MIN_CONNECT_TIMEOUT = 2


def utc_now() -> datetime:
    """The store's default clock; tests pass their own to open_store."""
    return datetime.now(UTC)


def is_unavailable(exc: DBAPIError, dialect: str) -> bool:
    """Whether a driver error means the database cannot serve us now (not a bug of ours)."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if dialect == "postgresql":
        # psycopg gives no SQLSTATE when libpq itself failed: no connection, or it broke.
        state = getattr(exc.orig, "sqlstate", None)
        if state is None or state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES:
            return True
        if state in _UNAVAILABLE_SQLSTATES:
            return True
    message = str(exc.orig).lower()
    return any(marker in message for marker in _UNAVAILABLE_MARKERS)


@contextmanager
def unavailable_as_error(dialect: str) -> Iterator[None]:
    """Turn lock and connection failures into StoreUnavailable; real bugs pass through."""
    try:
        yield
    except DBAPIError as exc:
        if is_unavailable(exc, dialect):
            raise StoreUnavailable(f"The story database is unavailable: {exc.orig}") from exc
        raise
    except PoolTimeout as exc:
        raise StoreUnavailable(f"The story database is unavailable: {exc}") from exc


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    timeout_ms = round(busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module; the "begin" hook emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms:d}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _configure_postgresql(engine: Engine, busy_timeout: float) -> None:
    timeout_ms = str(max(1, round(busy_timeout * 1000)))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # lock_timeout is PostgreSQL's busy_timeout: a writer waits that long for the write
        # lock (or a row or table lock), then gives up with StoreUnavailable.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", (timeout_ms,))
        finally:
            cursor.close()
            dbapi_connection.autocommit = autocommit


def postgresql_connect_args(url: str, busy_timeout: float) -> dict[str, Any]:
    """A server that does not answer must not hang a reader's request for minutes: libpq waits
    ``connect_timeout`` seconds (at least 2), unless the URL sets its own."""
    if "connect_timeout" in make_url(url).query:
        return {}
    return {"connect_timeout": max(_MIN_CONNECT_TIMEOUT, math.ceil(busy_timeout))}


def create_store_engine(url: str, busy_timeout: float) -> Engine:
    """An engine set up for its database: SQLite pragmas, or PostgreSQL timeouts and pinging."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, busy_timeout)
        return engine
    # Pinging first replaces connections a server restart has closed, instead of failing once.
    connect_args = postgresql_connect_args(url, busy_timeout)
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    _configure_postgresql(engine, busy_timeout)
    return engine
