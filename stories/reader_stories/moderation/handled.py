"""Whether a story is still the moderator's to decide, and if not, who handled it and when.

A link in the moderator's email acts on a story that waits, and only if nobody decided on it
since the email was written: a story approved and sent back to pending meanwhile is not the
story the email showed. The words name the decision from the story's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reader_stories.models import Action, ModerationEvent, Status, Story

DECISIONS = frozenset(
    {Action.APPROVED, Action.REJECTED, Action.SPAM, Action.RETURNED, Action.DELETED}
)
_DONE = {
    Action.APPROVED: "approved",
    Action.REJECTED: "rejected",
    Action.SPAM: "marked as spam",
    Action.RETURNED: "sent back to pending",
    Action.DELETED: "deleted",
}


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _said(event: ModerationEvent) -> str:
    return f"{_DONE[event.action]} by {event.actor} on {_when(event.at)}"


def handled_since(
    story_id: int, story: Story | None, history: Sequence[ModerationEvent], since: datetime
) -> str | None:
    """Why a link made at ``since`` can no longer act on the story, in words; None if it can."""
    decisions = [event for event in history if event.action in DECISIONS]
    if story is None:
        deleted = [e for e in decisions if e.action == Action.DELETED]
        if deleted:
            return f"Story #{story_id} was {_said(deleted[-1])}."
        return f"There is no story #{story_id}."
    if story.status != Status.PENDING:
        last = next((e for e in reversed(decisions) if e.action != Action.RETURNED), None)
        if last is None:  # decided without a history line (an import): say what it is
            return f"Story #{story_id} is already {story.status.value}."
        return f"Story #{story_id} was already {_said(last)}."
    later = [event for event in decisions if event.at >= since]
    if later:
        return (
            f"Story #{story_id} was {_said(later[0])} after this email was sent, and now waits "
            "again; this link was for the story as it was then."
        )
    return None
