"""Acting on each id on its own: every id is attempted and accounted for.

The command line takes ids as a moderator types them (`approve 12,13,99`). Unlike the admin's
all-or-nothing forms, which act on exactly what one page showed, a typed list is done as far
as it can be: each story that can change does, and each one that cannot is named with why
(already in that status, deleted, never there). It all happens in one transaction, so what is
reported is what the store holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reader_stories.models import Action, ModerationEvent, Status, Story
from reader_stories.moderation.actions import DEFAULT_ACTOR, VERBS, can_move
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import cancel_published, queue_published
from reader_stories.store import Store, Tx


@dataclass(frozen=True)
class Skipped:
    """A story left as it was, and why, in a few words ("already approved")."""

    story_id: int
    why: str


@dataclass(frozen=True)
class Missing:
    """An id with no story: deleted (its history says when and by whom) or never there."""

    story_id: int
    deleted: ModerationEvent | None


@dataclass(frozen=True)
class Sorted:
    """Each id asked for, in one of three places, in the order given."""

    done: tuple[Story, ...]
    skipped: tuple[Skipped, ...]
    missing: tuple[Missing, ...]


def _unique(story_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(story_ids))
    if not ids:
        raise ValueError("give at least one story id")
    return ids


def _missing(tx: Tx, story_id: int) -> Missing:
    deletions = [e for e in tx.events(story_id) if e.action == Action.DELETED]
    return Missing(story_id, deletions[-1] if deletions else None)


def why_not(status: Status, target: Status) -> str:
    """A skipped story's reason, short enough for its line of the report."""
    if status == target:
        return f"already {status.value}"
    return f"it is {status.value}, and cannot {VERBS[target]} from there"


def move_each(
    store: Store,
    story_ids: Iterable[int],
    target: Status,
    reason: str | None = None,
    *,
    actor: str = DEFAULT_ACTOR,
    mailer: Mailer | None = None,
) -> Sorted:
    """Move every story that may go to ``target``; name the others."""
    ids = _unique(story_ids)
    with store.writing() as tx:
        found = {i: story for i in ids if (story := tx.find(i)) is not None}
        done: list[Story] = []
        skipped: list[Skipped] = []
        missing: list[Missing] = []
        for story_id in ids:
            story = found.get(story_id)
            if story is None:
                missing.append(_missing(tx, story_id))
            elif not can_move(story.status, target):
                skipped.append(Skipped(story_id, why_not(story.status, target)))
            else:
                done.append(tx.set_status(story_id, target, reason=reason, actor=actor))
        moved_ids = [story.id for story in done]
        if target == Status.APPROVED:
            queue_published(tx, mailer, done)
        elif moved_ids:
            cancel_published(tx, moved_ids)
        return Sorted(tuple(done), tuple(skipped), tuple(missing))


@dataclass(frozen=True)
class Deleted:
    """What ``delete_each`` removed (each id asked for, with the replies that went with it)
    and what it could not find."""

    removed: tuple[int, ...]
    replies: dict[int, tuple[int, ...]]
    missing: tuple[Missing, ...]


def delete_each(store: Store, story_ids: Iterable[int], *, actor: str = DEFAULT_ACTOR) -> Deleted:
    """Delete every story that exists (with its replies); name the ids that do not. A reply
    asked for after its own story went with it, and is not named again."""
    ids = _unique(story_ids)
    removed: list[int] = []
    replies: dict[int, tuple[int, ...]] = {}
    missing: list[Missing] = []
    with store.writing() as tx:
        for story_id in ids:
            if story_id in removed:
                continue  # a reply that went with its story, asked for just before: done
            if tx.find(story_id) is None:
                missing.append(_missing(tx, story_id))
            else:
                gone = tx.delete(story_id, actor=actor)
                removed.extend(gone)
                replies[story_id] = tuple(gone[1:])
    return Deleted(tuple(removed), replies, tuple(missing))
