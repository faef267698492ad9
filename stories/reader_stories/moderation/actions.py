"""What moderators do, as plain functions for the invoke tasks and the web admin.

Each action is one transaction: with several ids, either every story changes or none
does. Every change is recorded in the story's history with who made it.
"""

from __future__ import annotations

from collections.abc import Iterable

from reader_stories.errors import FieldError, InvalidTransition, StoryMoved, ValidationFailed
from reader_stories.models import ModerationEvent, Status, Story
from reader_stories.moderation import personal_data
from reader_stories.moderation.edit_rules import MODERATOR, EditRules, check_edit
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import cancel_published, queue_published, queue_reply
from reader_stories.store import Store
from reader_stories.text import normalise, strip_controls
from reader_stories.validation import STORY_MAX

DEFAULT_ACTOR = "moderator"

# Where each status may go. Nothing returns to pending, and a status never "moves" to
# itself, so approving twice is reported rather than silently re-stamped.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM}),
    Status.APPROVED: frozenset({Status.REJECTED, Status.SPAM}),
    Status.REJECTED: frozenset({Status.APPROVED, Status.SPAM}),
    Status.SPAM: frozenset({Status.APPROVED, Status.REJECTED}),
}
# A decision can be undone: the story goes back to pending, and the history says so.
RETURNABLE = frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM})
VERBS: dict[Status, str] = {
    Status.APPROVED: "approve",
    Status.REJECTED: "reject",
    Status.SPAM: "mark as spam",
    Status.PENDING: "return to pending",
}
REPLY_VERB = "reply to"
MSG_REPLY_EMPTY = f"The text is empty; write up to {STORY_MAX:,} characters"


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


def can_move(status: Status, target: Status) -> bool:
    """Whether a story in ``status`` may go to ``target`` (pending: only as an undo)."""
    if target == Status.PENDING:
        return status in RETURNABLE
    return target in ALLOWED_TRANSITIONS[status]


def _check_transition(story: Story, target: Status) -> None:
    if not can_move(story.status, target):
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


def return_to_pending(
    store: Store,
    story_ids: Iterable[int],
    *,
    actor: str = DEFAULT_ACTOR,
    expected: Status | None = None,
) -> list[Story]:
    """Undo a decision: the stories wait for moderation again (a published one leaves its
    page, and its writer's "published" email is called off if it has not gone yet)."""
    return _move(store, story_ids, Status.PENDING, None, actor, expected=expected)


def clean_reply(markdown: str) -> str:
    """The author's own replies get the reader's clean-up and length limit, no other rule."""
    body = strip_controls(normalise(markdown)).strip()
    if not body:
        raise ValidationFailed([FieldError("story", MSG_REPLY_EMPTY)])
    if len(body) > STORY_MAX:
        raise ValidationFailed([FieldError("story", MODERATOR.story_long.format(count=len(body)))])
    return body


def _edit_note(story: Story, body: str, name: str) -> str | None:
    """What the history says an edit changed: nothing said means the text alone, as ever.
    The name it replaced is not kept: a name is edited to take it off the record."""
    if name == story.name:
        return None
    return "name changed" if body == story.body_markdown else "text and name changed"


def edit(
    store: Store,
    story_id: int,
    new_markdown: str | None,
    *,
    rules: EditRules,
    name: str | None = None,
    actor: str = DEFAULT_ACTOR,
) -> Story:
    """Change a story's text or its writer's name (a typo, a surname to drop) under the rules
    of the form; it is re-rendered and marked edited. None keeps the text or name as it is."""
    with store.writing() as tx:
        story = tx.get(story_id)
        if story.author_reply and new_markdown is not None and name is None:
            checked_body: str | None = clean_reply(new_markdown)
            checked_name = None
        else:
            checked = check_edit(story, new_markdown, name, rules)
            checked_body, checked_name = checked.body, checked.name
        body = story.body_markdown if checked_body is None else checked_body
        new_name = story.name if checked_name is None else checked_name
        note = _edit_note(story, body, new_name)
        return tx.edit_body(story_id, body, actor=actor, name=new_name, note=note)


def redact(
    store: Store,
    story_id: int,
    text: str,
    *,
    rules: EditRules,
    actor: str = DEFAULT_ACTOR,
) -> Story:
    """Take one piece of personal data out of a story wherever it stands, under the rules of
    an edit. The history names the kind removed, never the text (that is what went)."""
    with store.writing() as tx:
        story = tx.get(story_id)
        findings = personal_data.find_personal_data(story.body_markdown)
        found = [f for f in findings if f.text == text]
        finding = found[0] if found else personal_data.Finding(personal_data.REMOVED, text, 0, 0)
        body = personal_data.redact(story.body_markdown, finding)  # ValueError: not there
        checked = check_edit(story, body, None, rules)
        new_body = story.body_markdown if checked.body is None else checked.body
        note = f"redacted: {finding.kind}"
        return tx.edit_body(story_id, new_body, actor=actor, name=story.name, note=note)


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
    body = clean_reply(markdown)
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
