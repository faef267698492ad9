"""The outbox's values, kept free of imports so the store and the schema can share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MailKind(StrEnum):
    """Why a message exists; stored as text. Reader kinds carry an unsubscribe link."""

    MODERATOR = "moderator"
    PUBLISHED = "published"
    REPLY = "reply"
    CONFIRM = "confirm"
    # To a reader following an article (see notify/follow.py): the request to confirm the
    # follow, then one email per story published there, or a daily digest of them (a
    # follow_story without a story_id).
    FOLLOW_CONFIRM = "follow_confirm"
    FOLLOW_STORY = "follow_story"
    # To the writer who asked for email: a moderator decided on their change to their
    # published story (approved or not).
    CHANGE = "change"


READER_KINDS = (MailKind.PUBLISHED, MailKind.REPLY, MailKind.CONFIRM, MailKind.CHANGE)
# Mail to followers of an article; it ends with the follow (unsubscribe, forget, a bounce).
FOLLOW_KINDS = (MailKind.FOLLOW_CONFIRM, MailKind.FOLLOW_STORY)
# Reader mail that waits in the outbox until its address is confirmed: everything but the one
# email that asks to confirm it.
UNTIL_CONFIRMED = (MailKind.PUBLISHED, MailKind.REPLY, MailKind.CHANGE)


@dataclass(frozen=True, kw_only=True)
class Draft:
    """A composed message, ready to queue; ``story_id`` ties it to the story it is about."""

    kind: MailKind
    recipient: str
    subject: str
    body: str
    story_id: int | None
    unsubscribe_url: str | None = None
    follow_id: int | None = None  # mail to a follower: it goes when the follow ends


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    """One row of the outbox as the sender claimed it (recipient and body are still there)."""

    id: int
    kind: MailKind
    story_id: int | None
    recipient: str
    subject: str
    body: str
    unsubscribe_url: str | None
    created: datetime
    attempts: int


@dataclass(frozen=True, kw_only=True)
class OutboxProblem:
    """The message to name in a report: its error, attempt count and next (or last) try."""

    subject: str
    last_error: str | None
    attempts: int
    at: datetime | None


@dataclass(frozen=True, kw_only=True)
class OutboxState:
    """What `comments.pending` reports: unsent and given-up messages, with the worst of each;
    ``held`` counts those waiting for their address to be confirmed (not in ``waiting``)."""

    waiting: int
    failed: int
    next_attempt: datetime | None
    waiting_problem: OutboxProblem | None
    failed_problem: OutboxProblem | None
    held: int = 0
