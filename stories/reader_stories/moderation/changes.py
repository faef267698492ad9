"""Writers' changes to their published stories: what moderators see of them and decide.

A change waits beside the published story (store/revisions.py). Approving it gives the
published story the new name and text, flagged as edited; rejecting it drops the change and
leaves the published story as it was. Each is one transaction with its line in the history;
moderation/service.py rewrites the page afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader_stories.models import Status, Story
from reader_stories.moderation.actions import DEFAULT_ACTOR
from reader_stories.moderation.revision_diff import Piece, word_diff
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


def approve(store: Store, story_id: int, actor: str = DEFAULT_ACTOR) -> Story:
    """NoChangeWaiting when there is none (decided meanwhile, or the story left the page)."""
    with store.writing() as tx:
        return tx.approve_revision(story_id, actor=actor)


def reject(
    store: Store, story_id: int, reason: str | None = None, actor: str = DEFAULT_ACTOR
) -> Story:
    with store.writing() as tx:
        return tx.reject_revision(story_id, actor=actor, reason=reason)
