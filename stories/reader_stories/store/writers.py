"""One writer's stories: found by the email address and the network hash of one of theirs.

The admin's writer's page and a block "from a story" start from a story, so neither the
address nor the hash ever travels in a page's address.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from reader_stories.errors import StoryNotFound
from reader_stories.models import Story, story_from_record
from reader_stories.store import schema

_stories = schema.stories
WRITER_PAGE_LIMIT = 200


@dataclass(frozen=True)
class WriterKeys:
    """How a story's writer is named: the address they gave (if any), their network hash."""

    email: str | None
    network_hash: str | None


class WriterQueries:
    conn: Connection

    def writer_of(self, story_id: int) -> WriterKeys:
        query = select(_stories.c.email, _stories.c.ip_hash).where(_stories.c.id == story_id)
        row = self.conn.execute(query).one_or_none()
        if row is None:
            raise StoryNotFound(story_id)
        return WriterKeys(row.email or None, row.ip_hash or None)

    def stories_by_writer(
        self, keys: WriterKeys, *, by_email: bool = True, by_network: bool = True
    ) -> list[Story]:
        """Every story with the address (any case) or the network hash, newest first."""
        matches = []
        if by_email and keys.email:
            matches.append(func.lower(_stories.c.email) == keys.email.lower())
        if by_network and keys.network_hash:
            matches.append(_stories.c.ip_hash == keys.network_hash)
        if not matches:
            return []
        query = (
            select(_stories)
            .where(or_(*matches))
            .order_by(_stories.c.created.desc(), _stories.c.id.desc())
            .limit(WRITER_PAGE_LIMIT)
        )
        return [story_from_record(row) for row in self.conn.execute(query)]
