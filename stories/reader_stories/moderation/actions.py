"""What moderators do, as plain functions for the invoke tasks and the web admin.

Each action is one transaction: with several ids, either every story changes or none
does. Every change is recorded in the story's history with who made it.
"""

from __future__ import annotations

from collections.abc import Iterable

from reader_stories.errors import FieldError, InvalidTransition, StoryMoved, ValidationFailed
from reader_stories.models import ModerationEvent, Status, Story
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import cancel_published, queue_published, queue_reply
from reader_stories.store import Store
from reader_stories.text import normalise, strip_controls
from reader_stories.validation import MSG_STORY_EMPTY, MSG_STORY_LONG, STORY_MAX

DEFAULT_ACTOR = "moderator"

# Where each status may go. Nothing returns to pending, and a status never "moves" to
# itself, so approving twice is reported rather than silently re-stamped.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM}),
    Status.APPROVED: frozenset({Status.REJECTED, Status.SPAM}),
    Status.REJECTED: frozenset({Status.APPROVED, Status.SPAM}),
    Status.SPAM: frozenset({Status.APPROVED, Status.REJECTED}),
}
VERBS: dict[Status, str] = {
    Status.APPROVED: "approve",
    Status.REJECTED: "reject",
    Status.SPAM: "mark as spam",
}
REPLY_VERB = "reply to"


def _ids(story_ids: Iterable[int]) -> list[int]:
    """Unique ids in the order given; an empty list is a caller mistake, not a no-op."""
    ids = list(dict.fromkeys(story_ids))
    if not ids:
        raise ValueError("give at least one story id")
    return ids


def _check_expected(stories: Iterable[Story], expected: Status | None) -> None:
    """Each story still has the status the moderator saw (None: not asked)."""
    for story in stories:
        if expected is not None and story.status != expected:
            raise StoryMoved(story.id, story.status.value, expected.value)


def _check_transition(story: Story, target: Status) -> None:
    if target not in ALLOWED_TRANSITIONS[story.status]:
        raise InvalidTransition(story.id, story.status.value, VERBS[target])


def _move(
    store: Store,
    story_ids: Iterable[int],
    target: Status,
    reason: str | None,
    actor: str,
    mailer: Mailer | None = None,
    expected: Status | None = None,
) -> list[Story]:
    """All or none; with ``expected``, only stories still in that status (checked in the
    same transaction, so a decision made meanwhile by someone else is never undone)."""
    ids = _ids(story_ids)
    with store.writing() as tx:
        stories = tx.get_many(ids)
        _check_expected(stories, expected)
        for story in stories:
            _check_transition(story, target)
        moved = [tx.set_status(s.id, target, reason=reason, actor=actor) for s in stories]
        # The emails go (or are called off) with the change, in the same transaction.
        if target == Status.APPROVED:
            queue_published(tx, mailer, moved)
        else:
            cancel_published(tx, ids)
        return moved


def approve(
    store: Store,
    story_ids: Iterable[int],
    *,
    actor: str = DEFAULT_ACTOR,
    mailer: Mailer | None = None,
    expected: Status | None = None,
) -> list[Story]:
    """Publish stories at the next build; with a mailer, writers who asked are emailed."""
    return _move(store, story_ids, Status.APPROVED, None, actor, mailer, expected)


def reject(
    store: Store,
    story_ids: Iterable[int],
    reason: str | None = None,
    *,
    actor: str = DEFAULT_ACTOR,
    expected: Status | None = None,
) -> list[Story]:
    """Keep stories off the site; the reason is stored with them and in the history."""
    return _move(store, story_ids, Status.REJECTED, reason, actor, expected=expected)


def mark_spam(
    store: Store,
    story_ids: Iterable[int],
    *,
    actor: str = DEFAULT_ACTOR,
    expected: Status | None = None,
) -> list[Story]:
    """Keep stories off the site as spam (kept, so patterns can be spotted later)."""
    return _move(store, story_ids, Status.SPAM, None, actor, expected=expected)


def _clean_body(markdown: str) -> str:
    """Moderator text gets the reader's clean-up and length limit, not the link limit."""
    body = strip_controls(normalise(markdown)).strip()
    if not body:
        raise ValidationFailed([FieldError("story", MSG_STORY_EMPTY)])
    if len(body) > STORY_MAX:
        raise ValidationFailed([FieldError("story", MSG_STORY_LONG.format(count=len(body)))])
    return body


def edit(store: Store, story_id: int, new_markdown: str, *, actor: str = DEFAULT_ACTOR) -> Story:
    """Change a story's text (a typo, a surname to drop); it is re-rendered and marked edited."""
    body = _clean_body(new_markdown)
    with store.writing() as tx:
        return tx.edit_body(story_id, body, actor=actor)


def reply(
    store: Store,
    story_id: int,
    markdown: str,
    author: str,
    *,
    actor: str | None = None,
    mailer: Mailer | None = None,
) -> Story:
    """Publish an author reply under an approved story (under its thread, for a reply).

    With a mailer, the writer of the story replied to (``story_id``) is emailed if they asked.
    """
    body = _clean_body(markdown)
    with store.writing() as tx:
        story = tx.get(story_id)
        parent = story if story.parent_id is None else tx.get(story.parent_id)
        if parent.status != Status.APPROVED:
            raise InvalidTransition(parent.id, parent.status.value, REPLY_VERB)
        answer = tx.add_author_reply(
            parent.id, body, author_name=author, actor=actor if actor is not None else author
        )
        queue_reply(tx, mailer, story, answer)
        return answer


def delete(
    store: Store,
    story_ids: Iterable[int],
    *,
    actor: str = DEFAULT_ACTOR,
    expected: Status | None = None,
) -> list[int]:
    """Erase stories and their replies (a reader's request); returns every id removed.

    With ``expected``, only stories still in that status, as for the other actions."""
    ids = _ids(story_ids)
    removed: list[int] = []
    with store.writing() as tx:
        _check_expected(tx.get_many(ids), expected)
        for story_id in ids:
            if story_id not in removed:  # already gone with a story deleted just before
                removed.extend(tx.delete(story_id, actor=actor))
    return removed


def show(store: Store, story_id: int) -> tuple[Story, list[ModerationEvent]]:
    """A story and its history, read in one snapshot, for `comments.show`."""
    with store.reading() as tx:
        return tx.get(story_id), tx.events(story_id)
