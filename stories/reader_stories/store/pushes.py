"""The SQL for the push queue: articles whose pages wait to go to a public site elsewhere.

One row per article, however many changes it had: a burst of approvals makes one push. The
worker (live/push.py) takes the rows that are due once the burst has settled, and either deletes
them (pushed) or puts them off with the error (the push failed; it is tried again later).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from reader_stories.store import schema
from reader_stories.store.engine import Clock

_pushes = schema.page_pushes


@dataclass(frozen=True)
class PushState:
    """What waits to be pushed, for the moderator: how many articles, and the last failure."""

    waiting: int
    latest_queued: datetime | None
    next_attempt: datetime | None
    last_error: str | None
    attempts: int


class PushQueries:
    """The push queue; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def queue_pushes(self, articles: Iterable[str]) -> None:
        """These articles changed; one waiting for a retry keeps its time (the target is down)."""
        now = self.clock()
        for article in sorted(set(articles)):
            queued = update(_pushes).where(_pushes.c.article == article).values(queued_at=now)
            if self.conn.execute(queued).rowcount == 0:
                row = {"article": article, "queued_at": now, "attempts": 0, "next_attempt": now}
                self.conn.execute(insert(_pushes).values(**row))

    def due_pushes(self, now: datetime) -> list[str]:
        query = select(_pushes.c.article).where(_pushes.c.next_attempt <= now)
        return [row[0] for row in self.conn.execute(query.order_by(_pushes.c.article))]

    def pushed(self, articles: Iterable[str], started: datetime) -> None:
        """Done: unless an article changed again while the push ran, then it goes again."""
        self.conn.execute(
            delete(_pushes).where(
                _pushes.c.article.in_(list(articles)), _pushes.c.queued_at <= started
            )
        )

    def push_failed(self, articles: Iterable[str], error: str, retry: datetime) -> None:
        self.conn.execute(
            update(_pushes)
            .where(_pushes.c.article.in_(list(articles)))
            .values(attempts=_pushes.c.attempts + 1, next_attempt=retry, last_error=error)
        )

    def push_state(self) -> PushState:
        waiting, latest, next_attempt, attempts = self.conn.execute(
            select(
                func.count(),
                func.max(_pushes.c.queued_at),
                func.min(_pushes.c.next_attempt),
                func.coalesce(func.max(_pushes.c.attempts), 0),
            )
        ).one()
        error = self.conn.execute(
            select(_pushes.c.last_error)
            .where(_pushes.c.last_error.is_not(None))
            .order_by(_pushes.c.attempts.desc())
            .limit(1)
        ).scalar()
        return PushState(int(waiting), latest, next_attempt, error, int(attempts))
