"""Every SQL statement for reader stories, through SQLAlchemy Core with bound parameters.

``Store`` opens short transactions; ``Tx`` holds the queries and runs inside one, so
moderation can change several stories all-or-nothing. On SQLite the database runs in WAL
mode with ``synchronous=FULL``: once ``add_submission`` returns, the story survives a
crash. Write transactions start with BEGIN IMMEDIATE so concurrent processes queue on the
busy timeout instead of failing half-way.

On PostgreSQL (``postgresql://...``, psycopg 3) a write transaction takes a transaction-level
advisory lock first, the same one-writer-at-a-time rule, and ``lock_timeout`` plays the busy
timeout. A server that is down, restarting or locked for longer than that is
``StoreUnavailable``, like a locked SQLite file.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Select,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from nextround.stories import schema
from nextround.stories.errors import (
    DuplicateSubmission,
    FieldError,
    QueueFull,
    StoreUnavailable,
    StoryNotFound,
    ValidationFailed,
)
from nextround.stories.migrations import WRITE_OPTION, apply_migrations
from nextround.stories.models import (
    ACTION_FOR_STATUS,
    Action,
    ModerationEvent,
    Status,
    Story,
    Submission,
    body_fingerprint,
)
from nextround.stories.notify.records import (
    READER_KINDS,
    Draft,
    MailKind,
    OutboxMessage,
    OutboxProblem,
    OutboxState,
)
from nextround.stories.render import render_story
from nextround.stories.validation import MSG_REPLY_UNAVAILABLE

DEFAULT_URL = "sqlite:///var/comments.sqlite3"
DEFAULT_BUSY_TIMEOUT = 5.0
READER_ACTOR = "reader"
# Any fixed 64-bit number other than the migrations' lock key.
POSTGRES_WRITE_LOCK_KEY = 7_264_110_518

Clock = Callable[[], datetime]

_stories = schema.stories
_events = schema.moderation_events
_rates = schema.rate_events
_outbox = schema.outbox
# A message neither sent nor given up: waiting for its (next) try, or being sent right now.
_UNSENT = and_(_outbox.c.sent_at.is_(None), _outbox.c.failed_at.is_(None))
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


def _is_unavailable(exc: DBAPIError, dialect: str) -> bool:
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
def _unavailable_as_error(dialect: str) -> Iterator[None]:
    """Turn lock and connection failures into StoreUnavailable; real bugs pass through."""
    try:
        yield
    except DBAPIError as exc:
        if _is_unavailable(exc, dialect):
            raise StoreUnavailable(f"The story database is unavailable: {exc.orig}") from exc
        raise
    except PoolTimeout as exc:
        raise StoreUnavailable(f"The story database is unavailable: {exc}") from exc


def _sqlite_path(url: str) -> Path | None:
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


def _create_engine(url: str, busy_timeout: float) -> Engine:
    """An engine set up for its database: SQLite pragmas, or PostgreSQL timeouts and pinging."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, busy_timeout)
        return engine
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        # A server that does not answer must not hang a reader's request for minutes.
        connect_args["connect_timeout"] = max(_MIN_CONNECT_TIMEOUT, math.ceil(busy_timeout))
    # Pinging first replaces connections a server restart has closed, instead of failing once.
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    _configure_postgresql(engine, busy_timeout)
    return engine


def open_store(
    url: str = DEFAULT_URL,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    clock: Clock = utc_now,
) -> Store:
    """Open (creating the folder of a SQLite file if needed) and migrate the database."""
    path = _sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot create the folder {path.parent} for the story database: {exc.strerror}"
            ) from exc
    engine = _create_engine(url, busy_timeout)
    try:
        with _unavailable_as_error(engine.dialect.name):
            apply_migrations(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, clock, busy_timeout)


def approved_stories(url: str = DEFAULT_URL, article: str | None = None) -> list[Story]:
    """What the build publishes: approved stories (all, or one article's), email left out.

    A SQLite file that does not exist yet means no stories: nothing is created, so a
    build on a fresh checkout leaves no stray database behind. A PostgreSQL database is
    opened (and migrated) as the intake would; one that is down is StoreUnavailable.
    """
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return []
    with open_store(url) as store:
        return store.approved_all() if article is None else store.approved_for_article(article)


class Store:
    """A handle on the story database; cheap to keep for the life of a process."""

    def __init__(
        self, engine: Engine, clock: Clock = utc_now, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.busy_timeout = busy_timeout
        # Writers of one process queue here, in order, instead of polling the database lock:
        # SQLite's busy handler sleeps up to 100 ms between tries, which made the slowest
        # submissions under load wait far longer than the writes in front of them took.
        self._writers = threading.Lock()

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
        if not self._writers.acquire(timeout=self.busy_timeout):
            raise StoreUnavailable(
                f"The story database is busy: no write slot within {self.busy_timeout:g} s"
            )
        try:
            with self._open(write=True) as tx:
                yield tx
        finally:
            self._writers.release()

    @contextmanager
    def _open(self, *, write: bool) -> Iterator[Tx]:
        with _unavailable_as_error(self.engine.dialect.name), self.engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
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

    # One-call conveniences, each in its own transaction.

    def add_submission(
        self,
        submission: Submission,
        *,
        duplicate_within: timedelta | None = None,
        max_pending: int | None = None,
    ) -> Story:
        with self.writing() as tx:
            return tx.add_submission(
                submission, duplicate_within=duplicate_within, max_pending=max_pending
            )

    def get(self, story_id: int) -> Story:
        with self.reading() as tx:
            return tx.get(story_id)

    def events(self, story_id: int) -> list[ModerationEvent]:
        with self.reading() as tx:
            return tx.events(story_id)

    def pending(self, limit: int | None = None) -> list[Story]:
        with self.reading() as tx:
            return tx.pending(limit)

    def pending_count(self) -> int:
        with self.reading() as tx:
            return tx.pending_count()

    def approved_for_article(self, slug: str) -> list[Story]:
        with self.reading() as tx:
            return tx.approved_for_article(slug)

    def approved_all(self) -> list[Story]:
        with self.reading() as tx:
            return tx.approved_all()

    def approved_counts(self) -> dict[str, int]:
        with self.reading() as tx:
            return tx.approved_counts()

    def set_status(
        self, story_id: int, status: Status, *, reason: str | None = None, actor: str
    ) -> Story:
        with self.writing() as tx:
            return tx.set_status(story_id, status, reason=reason, actor=actor)

    def edit_body(self, story_id: int, markdown: str, *, actor: str) -> Story:
        with self.writing() as tx:
            return tx.edit_body(story_id, markdown, actor=actor)

    def add_author_reply(
        self, parent_id: int, markdown: str, *, author_name: str, actor: str
    ) -> Story:
        with self.writing() as tx:
            return tx.add_author_reply(parent_id, markdown, author_name=author_name, actor=actor)

    def delete(self, story_id: int, *, actor: str) -> list[int]:
        with self.writing() as tx:
            return tx.delete(story_id, actor=actor)

    def recent_duplicate(self, article: str, body_hash: str, within: timedelta) -> int | None:
        with self.reading() as tx:
            return tx.recent_duplicate(article, body_hash, within)

    def record_rate_event(self, network_hash: str) -> None:
        with self.writing() as tx:
            tx.record_rate_event(network_hash)

    def count_rate_events(self, network_hash: str, since: datetime) -> int:
        with self.reading() as tx:
            return tx.count_rate_events(network_hash, since)

    def prune_rate_events(self, before: datetime) -> int:
        with self.writing() as tx:
            return tx.prune_rate_events(before)


def _story(row: Row[Any], *, public: bool = False) -> Story:
    return Story(
        id=row.id,
        article=row.article,
        parent_id=row.parent_id,
        name=row.name,
        body_markdown=row.body_markdown,
        body_html=row.body_html,
        status=Status(row.status),
        created=row.created,
        updated=row.updated,
        approved_at=row.approved_at,
        edited=bool(row.edited),
        author_reply=bool(row.author_reply),
        reject_reason=row.reject_reason,
        email=None if public else row.email,
        notify=bool(row.notify),
    )


class Tx:
    """The queries, run on one connection inside one transaction (see Store.writing)."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock

    # Reading stories

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: an error inside undoes only what was written inside."""
        with self.conn.begin_nested():
            yield

    def find(self, story_id: int) -> Story | None:
        row = self.conn.execute(select(_stories).where(_stories.c.id == story_id)).first()
        return None if row is None else _story(row)

    def get(self, story_id: int) -> Story:
        story = self.find(story_id)
        if story is None:
            raise StoryNotFound(story_id)
        return story

    def get_many(self, story_ids: Sequence[int]) -> list[Story]:
        """The stories in the order asked; the first unknown id raises StoryNotFound."""
        rows = self.conn.execute(select(_stories).where(_stories.c.id.in_(list(story_ids))))
        found = {row.id: _story(row) for row in rows}
        for story_id in story_ids:
            if story_id not in found:
                raise StoryNotFound(story_id)
        return [found[story_id] for story_id in story_ids]

    def pending(self, limit: int | None = None) -> list[Story]:
        """Oldest first: the moderation queue is first come, first served."""
        query = (
            select(_stories)
            .where(_stories.c.status == Status.PENDING.value)
            .order_by(_stories.c.created, _stories.c.id)
            .limit(limit)
        )
        return [_story(row) for row in self.conn.execute(query)]

    def pending_count(self) -> int:
        query = select(func.count()).where(_stories.c.status == Status.PENDING.value)
        return int(self.conn.scalar(query) or 0)

    def _approved_query(self) -> Select[Any]:
        """Approved rows whose thread is visible: a reply shows only under an approved story."""
        parent = _stories.alias("parent")
        return (
            select(_stories)
            .outerjoin(parent, parent.c.id == _stories.c.parent_id)
            .where(
                _stories.c.status == Status.APPROVED.value,
                or_(_stories.c.parent_id.is_(None), parent.c.status == Status.APPROVED.value),
            )
            .order_by(_stories.c.article, _stories.c.created, _stories.c.id)
        )

    def approved_for_article(self, slug: str) -> list[Story]:
        """Stories and replies in the order written; replies point at their story by parent_id."""
        query = self._approved_query().where(_stories.c.article == slug)
        return [_story(row, public=True) for row in self.conn.execute(query)]

    def approved_all(self) -> list[Story]:
        """Every published story and reply, grouped by article, without emails."""
        return [_story(row, public=True) for row in self.conn.execute(self._approved_query())]

    def approved_counts(self) -> dict[str, int]:
        """Approved top-level stories per article (author replies are not reader stories)."""
        query = (
            select(_stories.c.article, func.count())
            .where(_stories.c.status == Status.APPROVED.value, _stories.c.parent_id.is_(None))
            .group_by(_stories.c.article)
        )
        return {article: int(count) for article, count in self.conn.execute(query)}

    def recent_duplicate(self, article: str, body_hash: str, within: timedelta) -> int | None:
        """Id of the newest story with the same fingerprint on the article, if recent."""
        query = (
            select(_stories.c.id)
            .where(
                _stories.c.article == article,
                _stories.c.body_hash == body_hash,
                _stories.c.created >= self.clock() - within,
            )
            .order_by(_stories.c.created.desc(), _stories.c.id.desc())
            .limit(1)
        )
        return self.conn.scalar(query)

    def events(self, story_id: int) -> list[ModerationEvent]:
        query = select(_events).where(_events.c.story_id == story_id).order_by(_events.c.id)
        return [
            ModerationEvent(
                id=row.id,
                story_id=row.story_id,
                action=Action(row.action),
                actor=row.actor,
                at=row.at,
                note=row.note,
            )
            for row in self.conn.execute(query)
        ]

    # Writing stories

    def add_event(self, story_id: int, action: Action, actor: str, note: str | None = None) -> None:
        self.conn.execute(
            insert(_events).values(
                story_id=story_id, action=action.value, actor=actor, at=self.clock(), note=note
            )
        )

    def _thread_root(self, submission: Submission) -> int | None:
        """The approved story a reader replies to; replies to replies join the same thread."""
        if submission.reply_to is None:
            return None
        parent = self.find(submission.reply_to)
        if parent is not None and parent.parent_id is not None:
            parent = self.find(parent.parent_id)
        if (
            parent is None
            or parent.status != Status.APPROVED
            or (parent.article != submission.article)
        ):
            raise ValidationFailed([FieldError("reply_to", MSG_REPLY_UNAVAILABLE)])
        return parent.id

    def _insert_story(self, **values: Any) -> Story:
        now = self.clock()
        body = values["body_markdown"]
        result = self.conn.execute(
            insert(_stories).values(
                body_html=render_story(body),
                body_hash=body_fingerprint(body),
                created=now,
                updated=now,
                edited=False,
                **values,
            )
        )
        return self.get(result.inserted_primary_key[0])

    def add_submission(
        self,
        submission: Submission,
        *,
        duplicate_within: timedelta | None = None,
        max_pending: int | None = None,
    ) -> Story:
        """Queue a reader's story (straight to spam if the honeypot was filled).

        ``duplicate_within`` refuses the same story on the same article within that time;
        ``max_pending`` refuses new stories while the queue is that long. Both checks and
        the insert share the write lock, so concurrent intakes cannot slip past them.
        """
        if duplicate_within is not None:
            existing = self.recent_duplicate(
                submission.article, submission.body_hash, duplicate_within
            )
            if existing is not None:
                raise DuplicateSubmission(existing)
        if (
            max_pending is not None
            and not submission.honeypot
            and self.pending_count() >= max_pending
        ):
            raise QueueFull(max_pending)
        status = Status.SPAM if submission.honeypot else Status.PENDING
        story = self._insert_story(
            article=submission.article,
            parent_id=self._thread_root(submission),
            name=submission.name,
            email=submission.email,
            notify=submission.notify,
            body_markdown=submission.body_markdown,
            status=status.value,
            author_reply=False,
            ip_hash=submission.ip_hash,
        )
        note = "honeypot field filled" if submission.honeypot else None
        self.add_event(story.id, Action.SUBMITTED, READER_ACTOR, note)
        return story

    def set_status(
        self, story_id: int, status: Status, *, reason: str | None = None, actor: str
    ) -> Story:
        """Move a story to ``status`` and record why; transition rules live in moderation."""
        if status not in ACTION_FOR_STATUS:
            raise ValueError(f"cannot set a story back to {status.value}")
        self.get(story_id)
        now = self.clock()
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(
                status=status.value,
                updated=now,
                approved_at=now if status == Status.APPROVED else None,
                reject_reason=reason if status == Status.REJECTED else None,
            )
        )
        self.add_event(story_id, ACTION_FOR_STATUS[status], actor, reason)
        return self.get(story_id)

    def edit_body(self, story_id: int, markdown: str, *, actor: str) -> Story:
        """Replace the text, re-render it and flag the story as edited by a moderator."""
        self.get(story_id)
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(
                body_markdown=markdown,
                body_html=render_story(markdown),
                body_hash=body_fingerprint(markdown),
                edited=True,
                updated=self.clock(),
            )
        )
        self.add_event(story_id, Action.EDITED, actor)
        return self.get(story_id)

    def add_author_reply(
        self, parent_id: int, markdown: str, *, author_name: str, actor: str
    ) -> Story:
        """An editor's reply under a story, published at once and flagged as author reply."""
        parent = self.get(parent_id)
        reply = self._insert_story(
            article=parent.article,
            parent_id=parent.id,
            name=author_name,
            email=None,
            notify=False,
            body_markdown=markdown,
            status=Status.APPROVED.value,
            approved_at=self.clock(),
            author_reply=True,
            ip_hash=None,
        )
        self.add_event(reply.id, Action.REPLIED, actor, f"reply to story {parent.id}")
        return reply

    def delete(self, story_id: int, *, actor: str) -> list[int]:
        """Remove a story and its replies for good; the history keeps who deleted what."""
        self.get(story_id)
        reply_ids = list(
            self.conn.scalars(
                select(_stories.c.id)
                .where(_stories.c.parent_id == story_id)
                .order_by(_stories.c.id)
            )
        )
        if reply_ids:
            self.conn.execute(delete(_stories).where(_stories.c.id.in_(reply_ids)))
        self.conn.execute(delete(_stories).where(_stories.c.id == story_id))
        self.add_event(story_id, Action.DELETED, actor)
        for reply_id in reply_ids:
            self.add_event(reply_id, Action.DELETED, actor, f"deleted with story {story_id}")
        return [story_id, *reply_ids]

    def ids_with_email(self, email: str) -> list[int]:
        """Stories whose writer gave this address, compared without regard to case."""
        query = (
            select(_stories.c.id)
            .where(func.lower(_stories.c.email) == email.strip().lower())
            .order_by(_stories.c.id)
        )
        return list(self.conn.scalars(query))

    def ids_unchanged_since(self, statuses: Sequence[Status], before: datetime) -> list[int]:
        """Stories in one of ``statuses`` whose last change is older than ``before``."""
        query = (
            select(_stories.c.id)
            .where(
                _stories.c.status.in_([status.value for status in statuses]),
                _stories.c.updated < before,
            )
            .order_by(_stories.c.id)
        )
        return list(self.conn.scalars(query))

    # Rate limiting

    def record_rate_event(self, network_hash: str) -> None:
        self.conn.execute(insert(_rates).values(network_hash=network_hash, at=self.clock()))

    def count_rate_events(self, network_hash: str, since: datetime) -> int:
        """Events strictly after ``since``: a window is (now - window, now]."""
        query = select(func.count()).where(
            and_(_rates.c.network_hash == network_hash, _rates.c.at > since)
        )
        return int(self.conn.scalar(query) or 0)

    def oldest_rate_event(self, network_hash: str, since: datetime) -> datetime | None:
        query = select(func.min(_rates.c.at)).where(
            _rates.c.network_hash == network_hash, _rates.c.at > since
        )
        return self.conn.scalar(query)

    def prune_rate_events(self, before: datetime) -> int:
        """Forget events older than the longest window in use; returns how many went."""
        result = self.conn.execute(delete(_rates).where(_rates.c.at < before))
        return int(result.rowcount or 0)

    # Outbox: email queued with the change it announces, sent later by notify.sender

    def add_mail(self, draft: Draft, due: datetime) -> int:
        """Queue a message to be sent at ``due`` or later; returns its outbox id."""
        result = self.conn.execute(
            insert(_outbox).values(
                kind=draft.kind.value,
                story_id=draft.story_id,
                recipient=draft.recipient,
                subject=draft.subject,
                body=draft.body,
                unsubscribe_url=draft.unsubscribe_url,
                created=self.clock(),
                attempts=0,
                next_attempt=due,
            )
        )
        return int(result.inserted_primary_key[0])

    def has_mail(self, story_id: int, kind: MailKind) -> bool:
        """Whether such a message was ever queued (or sent) and not cancelled since."""
        query = select(_outbox.c.id).where(
            _outbox.c.story_id == story_id, _outbox.c.kind == kind.value
        )
        return self.conn.scalar(query.limit(1)) is not None

    def claim_mail(
        self, token: str, until: datetime, limit: int, group_kind: MailKind | None = None
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` due messages for one sender until ``until``.

        Run in a write transaction: the write lock makes the claim atomic, so two senders never
        take the same message. A claim that runs out (a sender that died) makes it due again.
        With ``group_kind``, one due message of that kind brings every waiting one of its kind
        along (the moderator digest).
        """
        now = self.clock()
        due = list(
            self.conn.execute(
                select(_outbox.c.id, _outbox.c.kind)
                .where(_UNSENT, _outbox.c.next_attempt <= now)
                .order_by(_outbox.c.next_attempt, _outbox.c.id)
                .limit(limit)
            )
        )
        ids = [row.id for row in due]
        if group_kind is not None and any(row.kind == group_kind.value for row in due):
            ids += self.conn.scalars(
                select(_outbox.c.id).where(
                    _UNSENT,
                    _outbox.c.kind == group_kind.value,
                    _outbox.c.claim.is_(None),
                    _outbox.c.id.not_in(ids),
                )
            )
        if not ids:
            return []
        self.conn.execute(
            update(_outbox)
            .where(_outbox.c.id.in_(ids))
            .values(claim=token, attempts=_outbox.c.attempts + 1, next_attempt=until)
        )
        rows = self.conn.execute(
            select(_outbox).where(_outbox.c.id.in_(ids)).order_by(_outbox.c.id)
        )
        return [
            OutboxMessage(
                id=row.id,
                kind=MailKind(row.kind),
                story_id=row.story_id,
                recipient=row.recipient or "",
                subject=row.subject,
                body=row.body or "",
                unsubscribe_url=row.unsubscribe_url,
                created=row.created,
                attempts=row.attempts,
            )
            for row in rows
        ]

    def _claimed(self, ids: Sequence[int], token: str) -> Any:
        """Only the sender holding the claim may settle a message."""
        return update(_outbox).where(_outbox.c.id.in_(list(ids)), _outbox.c.claim == token)

    def mark_mail_sent(self, ids: Sequence[int], token: str) -> int:
        """Sent: the address, body and link go; subject and time stay as a log."""
        result = self.conn.execute(
            self._claimed(ids, token).values(
                sent_at=self.clock(),
                recipient=None,
                body=None,
                unsubscribe_url=None,
                next_attempt=None,
                last_error=None,
                claim=None,
            )
        )
        return int(result.rowcount or 0)

    def mark_mail_retry(
        self, ids: Sequence[int], token: str, error: str, next_attempt: datetime
    ) -> int:
        """Not sent this time: keep it for another try at ``next_attempt``."""
        result = self.conn.execute(
            self._claimed(ids, token).values(
                last_error=error, next_attempt=next_attempt, claim=None
            )
        )
        return int(result.rowcount or 0)

    def mark_mail_failed(self, ids: Sequence[int], token: str, error: str) -> int:
        """Given up: never sent, so the address and body go too; the error stays for the report."""
        result = self.conn.execute(
            self._claimed(ids, token).values(
                failed_at=self.clock(),
                last_error=error,
                recipient=None,
                body=None,
                unsubscribe_url=None,
                next_attempt=None,
                claim=None,
            )
        )
        return int(result.rowcount or 0)

    def cancel_mail(self, story_ids: Sequence[int], kinds: Sequence[MailKind]) -> int:
        """Drop unsent messages about these stories (say, "published" for a story now rejected)."""
        result = self.conn.execute(
            delete(_outbox).where(
                _UNSENT,
                _outbox.c.story_id.in_(list(story_ids)),
                _outbox.c.kind.in_([kind.value for kind in kinds]),
            )
        )
        return int(result.rowcount or 0)

    def unsubscribe(self, email: str) -> int:
        """Stop all mail to an address: forget it on every story, drop its unsent reader mail.

        Returns how many stories had it. ``updated`` is left alone: retention runs from the
        last moderation, not from an unsubscribe.
        """
        address = email.strip().lower()
        result = self.conn.execute(
            update(_stories)
            .where(func.lower(_stories.c.email) == address)
            .values(email=None, notify=False)
        )
        self.conn.execute(
            delete(_outbox).where(
                _UNSENT,
                func.lower(_outbox.c.recipient) == address,
                _outbox.c.kind.in_([kind.value for kind in READER_KINDS]),
            )
        )
        return int(result.rowcount or 0)

    def _problem(self, where: Any, order: Sequence[Any], at: Any) -> OutboxProblem | None:
        query = (
            select(_outbox.c.subject, _outbox.c.last_error, _outbox.c.attempts, at.label("at"))
            .where(where)
            .order_by(*order)
            .limit(1)
        )
        row = self.conn.execute(query).first()
        if row is None:
            return None
        return OutboxProblem(
            subject=row.subject, last_error=row.last_error, attempts=row.attempts, at=row.at
        )

    def outbox_state(self) -> OutboxState:
        """Counts of unsent and given-up mail and the problem worth naming for each."""
        failed_where = _outbox.c.failed_at.is_not(None)
        return OutboxState(
            waiting=int(self.conn.scalar(select(func.count()).where(_UNSENT)) or 0),
            failed=int(self.conn.scalar(select(func.count()).where(failed_where)) or 0),
            next_attempt=self.conn.scalar(select(func.min(_outbox.c.next_attempt)).where(_UNSENT)),
            waiting_problem=self._problem(
                and_(_UNSENT, _outbox.c.last_error.is_not(None)),
                [_outbox.c.attempts.desc(), _outbox.c.id.desc()],
                _outbox.c.next_attempt,
            ),
            failed_problem=self._problem(
                failed_where, [_outbox.c.failed_at.desc(), _outbox.c.id.desc()], _outbox.c.failed_at
            ),
        )

    def prune_mail(self, before: datetime) -> int:
        """Forget the log of mail sent or given up before ``before``; unsent mail stays."""
        result = self.conn.execute(
            delete(_outbox).where(
                or_(
                    and_(_outbox.c.sent_at.is_not(None), _outbox.c.sent_at < before),
                    and_(_outbox.c.failed_at.is_not(None), _outbox.c.failed_at < before),
                )
            )
        )
        return int(result.rowcount or 0)
