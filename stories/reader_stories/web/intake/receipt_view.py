"""What the receipt's page offers for a story: change it, change it as a revision, or delete it.

A waiting story is changed in place (no moderator has read it). A published story may be
changed for ``edit_window_hours`` after its approval: the change waits for a moderator as a
revision and the page keeps the approved words. After that, or for a story a moderator turned
down, the page offers only the deletion, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from markupsafe import Markup

from reader_stories.models import Status, Story
from reader_stories.store import Store
from reader_stories.store.revisions import Revision, change_deadline
from reader_stories.story_html import plain_text, sanitise


class Offer(StrEnum):
    CHANGE = "change"  # waiting for a moderator: changed in place
    REVISE = "revise"  # published, within the window: a revision for a moderator
    CLOSED = "closed"  # published, window over (or switched off): delete only
    DELETE = "delete"  # rejected or spam: delete only


@dataclass(frozen=True)
class ReceiptView:
    story: Story
    revision: Revision | None
    offer: Offer
    deadline: datetime | None
    window_hours: int

    @property
    def can_change(self) -> bool:
        return self.offer in (Offer.CHANGE, Offer.REVISE)

    @property
    def values(self) -> dict[str, str]:
        """The form's fields as the writer last sent them: a waiting revision's, else the
        story's."""
        source = self.revision or self.story
        return {"name": source.name, "story": source.body_markdown}

    @property
    def revision_html(self) -> Markup:
        """The waiting change as the page would show it, sanitised again on the way out."""
        return Markup(sanitise(self.revision.body_html)) if self.revision else Markup("")

    def context(self) -> dict[str, object]:
        """What delete.html reads besides the receipt, values and errors."""
        return {
            "story": self.story,
            "preview": plain_text(self.story.body_markdown, limit=160),
            "offer": self.offer.value,
            "can_change": self.can_change,
            "revision": self.revision,
            "revision_html": self.revision_html,
            "deadline": self.deadline,
            "window_hours": self.window_hours,
        }


def _offer(story: Story, deadline: datetime | None, now: datetime) -> Offer:
    if story.status is Status.PENDING:
        return Offer.CHANGE
    if story.status is Status.APPROVED:
        return Offer.REVISE if deadline is not None and now <= deadline else Offer.CLOSED
    return Offer.DELETE


def receipt_view(store: Store, story_id: int, window: timedelta) -> ReceiptView:
    """The story, its waiting change and what its writer may do now, read in one snapshot.
    StoryNotFound when it is gone."""
    with store.reading() as tx:
        story = tx.get(story_id)
        revision = tx.revision(story_id) if story.status is Status.APPROVED else None
        now = tx.clock()
    deadline = change_deadline(story, window)
    hours = int(window.total_seconds() // 3600)
    return ReceiptView(story, revision, _offer(story, deadline, now), deadline, hours)
