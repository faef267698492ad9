"""Is each story still where the moderator's page showed it? Said in words, before any change.

Another moderator (or the reader's own deletion link) may have moved or removed a story since the
page was loaded. Acting on it anyway could undo their decision, so such a request changes
nothing and names each story and where it is now. Approve, reject, spam and delete check again
inside their transaction that each story is still where the page showed it (and the first three
the status rules), so a change made in between is refused too, with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reader_stories.errors import StoryMoved
from reader_stories.models import Status
from reader_stories.moderation.actions import can_move
from reader_stories.pages.templates import long_date
from reader_stories.store import Store
from reader_stories.web.admin import queries

NOTHING_CHANGED = "Nothing was changed."


def gone(store: Store, story_id: int) -> str:
    """Why a story id finds nothing: deleted (when, by whom), or never there at all."""
    event = queries.deletion(store, story_id)
    if event is None:
        return f"There is no story #{story_id}."
    when = f"{long_date(event.at)} at {event.at:%H:%M} UTC"
    return f"Story #{story_id} was deleted ({when}, by {event.actor})."


def moved(story_id: int, now: Status, shown: Status) -> str:
    return f"{StoryMoved(story_id, now.value, shown.value)}."


def problems(
    store: Store,
    story_ids: Sequence[int],
    current: Mapping[int, Status],
    shown: Status | None,
    target: Status | None,
) -> list[str]:
    """One line per story that is gone, moved from ``shown``, or cannot go to ``target``.

    ``current`` is ``queries.current_statuses`` of the ids, read by the caller, who may use it too.
    """
    lines = []
    for story_id in story_ids:
        status = current.get(story_id)
        if status is None:
            lines.append(gone(store, story_id))
        elif shown is not None and status != shown:
            lines.append(moved(story_id, status, shown))
        elif target is not None and not can_move(status, target):
            lines.append(f"Story #{story_id} is already {status.value}.")
    return lines
