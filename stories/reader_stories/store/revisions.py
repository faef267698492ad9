"""The SQL for a writer's change to their published story, waiting for a moderator.

The change is a row of its own (``story_revisions``), never the published row: the page keeps
the words a moderator approved until a moderator approves the new ones. One change waits per
story; a second replaces the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from reader_stories.errors import ChangeWindowClosed, InvalidTransition, NoChangeWaiting
from reader_stories.models import Action, Status, Story, body_fingerprint
from reader_stories.store import schema
from reader_stories.store.engine import Clock

_stories = schema.stories
_revisions = schema.story_revisions

NOTE_SENT = "change sent by its writer, waiting for a moderator"
NOTE_APPROVED = "writer's change approved"
NOTE_REJECTED = "writer's change rejected; the published version stays"
WRITER = "reader"


@dataclass(frozen=True, kw_only=True)
class Revision:
    """A writer's new name and text for a published story, as they will be shown."""

    story_id: int
    name: str
    body_markdown: str
    body_html: str
    created: datetime


def _render(markdown: str) -> str:
    from reader_stories.story_html import render_story

    return render_story(markdown)


def change_deadline(story: Story, window: timedelta) -> datetime | None:
    """Until when the writer may change a published story (None: not at all)."""
    if story.status != Status.APPROVED or story.author_reply or story.approved_at is None:
        return None
    if window <= timedelta(0):
        return None
    return story.approved_at + window


class RevisionQueries:
    """Writers' waiting changes; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    # get() and add_event() are StoryQueries', beside this class in Tx.

    def revision(self, story_id: int) -> Revision | None:
        """The change waiting for this story, if any (whatever the story's status now)."""
        row = self.conn.execute(select(_revisions).where(_revisions.c.story_id == story_id)).first()
        return None if row is None else _revision(row)

    def revisions_waiting(self) -> list[Revision]:
        """Changes to stories still published, newest first (the admin's and the CLI's order).

        A change to a story a moderator has since taken off the page waits unseen: it can be
        acted on only if the story is published again, and it goes with the story."""
        query = (
            select(_revisions)
            .join(_stories, _stories.c.id == _revisions.c.story_id)
            .where(_stories.c.status == Status.APPROVED.value)
            .order_by(_revisions.c.created.desc(), _revisions.c.story_id.desc())
        )
        return [_revision(row) for row in self.conn.execute(query)]

    def revise_by_writer(
        self, story_id: int, markdown: str, name: str, window: timedelta
    ) -> Revision:
        """Store the writer's change to a published story, replacing any change still waiting.

        ChangeWindowClosed once ``window`` has passed since the approval (or with no window);
        InvalidTransition when the story is not published. The checks and the write share this
        transaction, so a moderator's decision made meanwhile is never overtaken."""
        story = self.get(story_id)
        if story.status != Status.APPROVED or story.author_reply:
            raise InvalidTransition(story_id, story.status.value, "change")
        deadline = change_deadline(story, window)
        now = self.clock()
        if deadline is None or now > deadline:
            raise ChangeWindowClosed(story_id, int(window.total_seconds() // 3600))
        revision = Revision(
            story_id=story_id,
            name=name,
            body_markdown=markdown,
            body_html=_render(markdown),
            created=now,
        )
        self.conn.execute(delete(_revisions).where(_revisions.c.story_id == story_id))
        self.conn.execute(
            insert(_revisions).values(
                story_id=story_id,
                name=revision.name,
                body_markdown=revision.body_markdown,
                body_html=revision.body_html,
                created=now,
            )
        )
        self.add_event(story_id, Action.EDITED, WRITER, NOTE_SENT)
        return revision

    def _waiting(self, story_id: int) -> tuple[Story, Revision]:
        story = self.get(story_id)
        revision = self.revision(story_id)
        if revision is None or story.status != Status.APPROVED:
            raise NoChangeWaiting(story_id)
        return story, revision

    def approve_revision(self, story_id: int, *, actor: str) -> Story:
        """The published story takes the writer's new name and text, flagged as edited."""
        _story, revision = self._waiting(story_id)
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(
                name=revision.name,
                body_markdown=revision.body_markdown,
                body_html=revision.body_html,
                body_hash=body_fingerprint(revision.body_markdown),
                edited=True,
                updated=self.clock(),
            )
        )
        self.conn.execute(delete(_revisions).where(_revisions.c.story_id == story_id))
        self.add_event(story_id, Action.EDITED, actor, NOTE_APPROVED)
        return self.get(story_id)

    def reject_revision(self, story_id: int, *, actor: str, reason: str | None = None) -> Story:
        """The writer's change goes; the published story stays as a moderator approved it."""
        story, _revision = self._waiting(story_id)
        self.conn.execute(delete(_revisions).where(_revisions.c.story_id == story_id))
        note = NOTE_REJECTED if not reason else f"{NOTE_REJECTED} ({reason})"
        self.add_event(story_id, Action.EDITED, actor, note)
        return story


def _revision(row: Any) -> Revision:
    return Revision(
        story_id=row.story_id,
        name=row.name,
        body_markdown=row.body_markdown,
        body_html=row.body_html,
        created=row.created,
    )
