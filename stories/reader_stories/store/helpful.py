"""The SQL for "This helped me": one mark per published story and reader network.

A second press from the same network changes nothing, so the count on the page is the number
of networks that found the story helpful, not the number of clicks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, update

from reader_stories.errors import StoryNotFound
from reader_stories.models import Status
from reader_stories.store import schema
from reader_stories.store.engine import Clock

_stories = schema.stories
_marks = schema.helpful_marks

_STORY = select(_stories.c.article, _stories.c.status, _stories.c.helpful).where(
    _stories.c.id == bindparam("story_id")
)
_MARKED = select(_marks.c.story_id).where(
    _marks.c.story_id == bindparam("story_id"), _marks.c.network_hash == bindparam("network")
)
_MARK = insert(_marks)
_COUNT_ONE_MORE = (
    update(_stories)
    .where(_stories.c.id == bindparam("story_id"))
    .values(helpful=_stories.c.helpful + 1)
)


@dataclass(frozen=True)
class HelpfulMark:
    """What a press of the button did: the story's article, its count now, whether it rose."""

    article: str
    count: int
    counted: bool


class HelpfulQueries:
    """Helpful marks; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def mark_helpful(self, story_id: int, network_hash: str) -> HelpfulMark:
        """Count this network once for a published story; StoryNotFound for any other."""
        story = self.conn.execute(_STORY, {"story_id": story_id}).first()
        if story is None or story.status != Status.APPROVED.value:
            raise StoryNotFound(story_id)
        params = {"story_id": story_id, "network": network_hash}
        if self.conn.execute(_MARKED, params).first() is not None:
            return HelpfulMark(story.article, story.helpful, counted=False)
        self.conn.execute(
            _MARK, {"story_id": story_id, "network_hash": network_hash, "at": self.clock()}
        )
        self.conn.execute(_COUNT_ONE_MORE, {"story_id": story_id})
        return HelpfulMark(story.article, story.helpful + 1, counted=True)
