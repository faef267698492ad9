"""The SQL for readers following an article: one row per article and address.

A follow is asked for at the form under the stories, confirmed by the link of the one email it
gets first, and ends for good (the row and its address deleted, with its unsent mail) on
unsubscribe, `comments.forget`, a bounce, or when nobody confirms it in time. Addresses compare
without regard to case, as elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from reader_stories.models import Status, Story, story_from_record
from reader_stories.store import schema
from reader_stories.store.engine import Clock

_follows = schema.follows
_stories = schema.stories
_outbox = schema.outbox
_UNSENT = and_(_outbox.c.sent_at.is_(None), _outbox.c.failed_at.is_(None))


@dataclass(frozen=True)
class Follow:
    """One reader's follow of one article."""

    id: int
    article: str
    email: str
    confirmed: bool
    confirm_requested_at: datetime | None
    digest: bool = False  # one email a day listing the new stories, not one per story
    digest_since: datetime | None = None  # the next digest lists stories approved after it


def _follow(row: Row[Any]) -> Follow:
    return Follow(
        id=row.id,
        article=row.article,
        email=row.email,
        confirmed=bool(row.confirmed),
        confirm_requested_at=row.confirm_requested_at,
        digest=bool(row.digest),
        digest_since=row.digest_since,
    )


def _same_address(email: str) -> ColumnElement[bool]:
    return func.lower(_follows.c.email) == email.strip().lower()


class FollowQueries:
    """Follows of articles; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def find_follow(self, follow_id: int) -> Follow | None:
        row = self.conn.execute(select(_follows).where(_follows.c.id == follow_id)).first()
        return None if row is None else _follow(row)

    def follow_of(self, article: str, email: str) -> Follow | None:
        query = select(_follows).where(_follows.c.article == article, _same_address(email))
        row = self.conn.execute(query.order_by(_follows.c.id).limit(1)).first()
        return None if row is None else _follow(row)

    def add_follow(self, article: str, email: str, digest: bool = False) -> Follow:
        """A new, unconfirmed follow (the caller checked there was none for the address)."""
        result = self.conn.execute(
            insert(_follows).values(
                article=article,
                email=email.strip(),
                confirmed=False,
                created=self.clock(),
                digest=digest,
            )
        )
        found = self.find_follow(int(result.inserted_primary_key[0]))
        assert found is not None
        return found

    def follow_requests_since(self, email: str, since: datetime) -> int:
        """How many requests to confirm a follow went to the address at ``since`` or later."""
        query = select(func.count()).where(
            _same_address(email), _follows.c.confirm_requested_at >= since
        )
        return int(self.conn.scalar(query) or 0)

    def mark_follow_asked(self, follow_id: int) -> None:
        self.conn.execute(
            update(_follows)
            .where(_follows.c.id == follow_id)
            .values(confirm_requested_at=self.clock())
        )

    def confirm_follow(self, follow_id: int) -> None:
        """Confirmed from now: a digest counts the stories approved after this moment."""
        self.conn.execute(
            update(_follows)
            .where(_follows.c.id == follow_id)
            .values(confirmed=True, digest_since=self.clock())
        )

    def set_follow_digest(self, follow_id: int, digest: bool) -> None:
        self.conn.execute(update(_follows).where(_follows.c.id == follow_id).values(digest=digest))

    def confirmed_followers(self, article: str) -> list[Follow]:
        query = (
            select(_follows)
            .where(_follows.c.article == article, _follows.c.confirmed.is_(True))
            .order_by(_follows.c.id)
        )
        return [_follow(row) for row in self.conn.execute(query)]

    def digests_due(self, counted_before: datetime) -> list[Follow]:
        """Confirmed digest follows whose last digest (or confirmation) is older than
        ``counted_before``: a day has passed since they were last told of new stories."""
        query = (
            select(_follows)
            .where(
                _follows.c.confirmed.is_(True),
                _follows.c.digest.is_(True),
                _follows.c.digest_since <= counted_before,
            )
            .order_by(_follows.c.id)
        )
        return [_follow(row) for row in self.conn.execute(query)]

    def stories_for_digest(self, follow: Follow, until: datetime) -> list[Story]:
        """The readers' stories approved on the followed article after its last digest, oldest
        first; not the site author's replies, and not the follower's own stories."""
        query = (
            select(_stories)
            .where(
                _stories.c.article == follow.article,
                _stories.c.status == Status.APPROVED.value,
                _stories.c.author_reply.is_(False),
                _stories.c.approved_at > follow.digest_since,
                _stories.c.approved_at <= until,
                or_(
                    _stories.c.email.is_(None),
                    func.lower(_stories.c.email) != follow.email.strip().lower(),
                ),
            )
            .order_by(_stories.c.approved_at, _stories.c.id)
        )
        return [story_from_record(row, public=True) for row in self.conn.execute(query)]

    def mark_digest_queued(self, follow_id: int) -> None:
        """The next digest counts from now."""
        self.conn.execute(
            update(_follows).where(_follows.c.id == follow_id).values(digest_since=self.clock())
        )

    def has_follow_mail(self, follow_id: int, story_id: int) -> bool:
        """Whether this follower was ever sent (or is to be sent) this story."""
        query = select(_outbox.c.id).where(
            _outbox.c.follow_id == follow_id, _outbox.c.story_id == story_id
        )
        return self.conn.scalar(query.limit(1)) is not None

    def end_follow(self, follow_id: int) -> int:
        """Delete one follow, its address and its unsent mail; how many follows (0 or 1)."""
        return self._end([follow_id])

    def end_follows(self, email: str) -> int:
        """Delete every follow of an address (forget, a bounce); how many there were."""
        ids = list(self.conn.scalars(select(_follows.c.id).where(_same_address(email))))
        return self._end(ids)

    def expire_unconfirmed_follows(self, asked_before: datetime) -> int:
        """Delete follows nobody confirmed, created before the date; how many."""
        ids = list(
            self.conn.scalars(
                select(_follows.c.id).where(
                    _follows.c.confirmed.is_(False), _follows.c.created < asked_before
                )
            )
        )
        return self._end(ids)

    def count_follows(self) -> int:
        return int(self.conn.scalar(select(func.count()).select_from(_follows)) or 0)

    def _end(self, ids: list[int]) -> int:
        if not ids:
            return 0
        self.conn.execute(delete(_outbox).where(_UNSENT, _outbox.c.follow_id.in_(ids)))
        result = self.conn.execute(delete(_follows).where(_follows.c.id.in_(ids)))
        return int(result.rowcount or 0)
