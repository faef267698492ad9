"""Writers' changes to their published stories: what moderators see of them and decide.

A change waits beside the published story (store/revisions.py). Approving it gives the
published story the new name and text, flagged as edited; rejecting it drops the change and
leaves the published story as it was. Each is one transaction with its line in the history and,
for a writer who asked for email, the email that tells them; moderation/service.py rewrites the
page afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader_stories.models import Status, Story
from reader_stories.moderation.actions import DEFAULT_ACTOR
from reader_stories.moderation.revision_diff import Piece, word_diff
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import queue_change_decided
from reader_stories.store import Store, Tx
from reader_stories.store.revisions import Revision


@dataclass(frozen=True)
class WaitingChange:
    """A published story, its writer's change, and what the change changes."""

    story: Story
    revision: Revision

    @property
    def name_changed(self) -> bool:
        return self.story.name != self.revision.name

    @property
    def text_diff(self) -> list[Piece]:
        return word_diff(self.story.body_markdown, self.revision.body_markdown)


def waiting_in(tx: Tx) -> list[WaitingChange]:
    """Every change waiting for a moderator, newest first, with its published story."""
    revisions = tx.revisions_waiting()
    stories = {s.id: s for s in tx.get_many([r.story_id for r in revisions])} if revisions else {}
    return [WaitingChange(stories[r.story_id], r) for r in revisions]


def waiting(store: Store) -> list[WaitingChange]:
    with store.reading() as tx:
        return waiting_in(tx)


def waiting_for(store: Store, story_id: int) -> WaitingChange | None:
    """The change waiting for this published story, if there is one."""
    with store.reading() as tx:
        story = tx.get(story_id)
        revision = tx.revision(story_id)
    if revision is None or story.status is not Status.APPROVED:
        return None
    return WaitingChange(story, revision)


def approve(
    store: Store, story_id: int, actor: str = DEFAULT_ACTOR, mailer: Mailer | None = None
) -> Story:
    """NoChangeWaiting when there is none (decided meanwhile, or the story left the page).
    With a mailer, the writer is told, if they asked for email."""
    with store.writing() as tx:
        story = tx.approve_revision(story_id, actor=actor)
        queue_change_decided(tx, mailer, story, approved=True)
        return story


def reject(
    store: Store,
    story_id: int,
    reason: str | None = None,
    actor: str = DEFAULT_ACTOR,
    mailer: Mailer | None = None,
) -> Story:
    """The reason stays in the history; the writer's email (if they asked) does not give it."""
    with store.writing() as tx:
        story = tx.reject_revision(story_id, actor=actor, reason=reason)
        queue_change_decided(tx, mailer, story, approved=False)
        return story
