"""The SQL behind a moderator's flags: stories with the same text, and earlier approved writers.

The admin's cards and the moderator's email both flag duplicates and first-time authors
(moderation/flags.py decides what counts); these queries fetch the rows they compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from reader_stories.models import Status
from reader_stories.store import schema

_stories = schema.stories


@dataclass(frozen=True)
class SameText:
    """A story whose text fingerprint is ``body_hash``."""

    id: int
    status: Status
    article: str
    body_hash: str


@dataclass(frozen=True)
class ApprovedWriter:
    """Who wrote an approved reader story, and when (the address only to compare, never shown)."""

    id: int
    name: str
    email: str | None
    created: datetime


class LookalikeQueries:
    """Mixed into the store's Tx, which supplies conn."""

    conn: Connection

    def body_hashes(self, story_ids: Sequence[int]) -> dict[int, str]:
        query = select(_stories.c.id, _stories.c.body_hash).where(
            _stories.c.id.in_(list(story_ids))
        )
        return {row.id: row.body_hash for row in self.conn.execute(query)}

    def same_text(self, hashes: Iterable[str]) -> list[SameText]:
        """Every story with one of these fingerprints, in id order."""
        query = (
            select(_stories.c.id, _stories.c.status, _stories.c.article, _stories.c.body_hash)
            .where(_stories.c.body_hash.in_(sorted(set(hashes))))
            .order_by(_stories.c.id)
        )
        return [
            SameText(row.id, Status(row.status), row.article, row.body_hash)
            for row in self.conn.execute(query)
        ]

    def approved_writers(self, until: datetime) -> list[ApprovedWriter]:
        """Writers of approved reader stories (author replies aside) created up to ``until``."""
        query = select(_stories.c.id, _stories.c.name, _stories.c.email, _stories.c.created).where(
            _stories.c.status == Status.APPROVED.value,
            _stories.c.author_reply.is_(False),
            _stories.c.created <= until,
        )
        return [
            ApprovedWriter(row.id, row.name, row.email, row.created)
            for row in self.conn.execute(query)
        ]
