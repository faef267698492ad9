"""The SQL that remembers imports: where each imported story came from, and the comments an
import kept aside because no article of the site has their address.

An origin row outlives its story, so importing the same export again skips what a moderator
deleted instead of bringing it back, and finds what a moderator edited by its source id rather
than by its text. Held comments are never published and never purged; an import that can place
them moves them into stories, `comments.drop-unmapped` deletes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, tuple_

from reader_stories.models import Status
from reader_stories.store import schema
from reader_stories.store.engine import Clock

_origins = schema.import_origins
_held = schema.held_comments
_stories = schema.stories


@dataclass(frozen=True)
class Origin:
    """An imported comment as the store knows it now: its story, and that story's status
    (None once the story was deleted)."""

    story_id: int
    status: Status | None


class ImportQueries:
    """Origins and held comments; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def origins(self, source: str) -> dict[str, Origin]:
        """Every comment of ``source`` imported before, by its id there."""
        query = (
            select(_origins.c.ref, _origins.c.story_id, _stories.c.status)
            .select_from(_origins.outerjoin(_stories, _stories.c.id == _origins.c.story_id))
            .where(_origins.c.source == source)
        )
        return {
            ref: Origin(story_id, None if status is None else Status(status))
            for ref, story_id, status in self.conn.execute(query)
        }

    def twin(self, article: str, body_hash: str, created: datetime) -> Origin | None:
        """A story with the same article, text and time: the same comment, imported before
        the store kept source ids."""
        query = (
            select(_stories.c.id, _stories.c.status)
            .where(
                _stories.c.article == article,
                _stories.c.body_hash == body_hash,
                _stories.c.created == created,
            )
            .order_by(_stories.c.id)
            .limit(1)
        )
        row = self.conn.execute(query).first()
        return None if row is None else Origin(row.id, Status(row.status))

    def add_origin(self, source: str, ref: str, story_id: int) -> None:
        values = {"source": source, "ref": ref, "story_id": story_id, "imported_at": self.clock()}
        self.conn.execute(insert(_origins).values(**values))

    def imported_pending_ids(self) -> set[int]:
        """Imported stories no moderator has decided on yet: the purge leaves them alone."""
        query = (
            select(_stories.c.id)
            .join(_origins, _origins.c.story_id == _stories.c.id)
            .where(_stories.c.status == Status.PENDING.value)
        )
        return set(self.conn.scalars(query))

    def held(self, source: str | None = None) -> list[dict[str, Any]]:
        """The comments kept aside (of one source, or all), oldest first."""
        query = select(_held).order_by(_held.c.created, _held.c.source, _held.c.ref)
        if source is not None:
            query = query.where(_held.c.source == source)
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def hold(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Keep these comments aside, replacing what an earlier import kept of the same ones."""
        rows = [{**row, "held_at": self.clock()} for row in rows]
        if not rows:
            return
        self.release([(row["source"], row["ref"]) for row in rows])
        self.conn.execute(insert(_held), rows)

    def release(self, keys: Iterable[tuple[str, str]]) -> None:
        """Forget held comments that now have a place (source, ref)."""
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            self.conn.execute(delete(_held).where(tuple_(_held.c.source, _held.c.ref).in_(chunk)))

    def held_counts(self) -> Counter[str]:
        """How many comments are kept aside, per source."""
        query = select(_held.c.source, func.count()).group_by(_held.c.source)
        return Counter({source: count for source, count in self.conn.execute(query)})

    def drop_held(self, source: str | None = None) -> int:
        """Delete the comments kept aside (of one source, or all); returns how many went."""
        statement = delete(_held)
        if source is not None:
            statement = statement.where(_held.c.source == source)
        return self.conn.execute(statement).rowcount or 0

    def forget_held_email(self, email: str) -> int:
        """A reader's request covers comments kept aside too."""
        statement = delete(_held).where(func.lower(_held.c.email) == email.strip().lower())
        return self.conn.execute(statement).rowcount or 0
