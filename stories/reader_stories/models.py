"""The values that cross module boundaries: statuses, submissions, stories, events."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from reader_stories.text import fold

T = TypeVar("T")


class computed_once(Generic[T]):
    """functools.cached_property without its lock. On Python 3.11 that lock belongs to the
    property, not to one instance, so the intake's threads, each computing its own
    submission's HTML, waited for one another, and the readers' slowest answers under load
    were those waits. Two threads computing one instance's value at once cannot happen here: a
    submission belongs to one request."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # found before this descriptor from now on
        return value


class Status(StrEnum):
    """Where a story is in moderation; stored as its text value, never as a number."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"


class Action(StrEnum):
    """What happened to a story, as recorded in its moderation history."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    EDITED = "edited"
    REPLIED = "replied"
    DELETED = "deleted"
    RETURNED = "returned"  # back to pending: a decision undone


class HoldKind(StrEnum):
    """Why a waiting story is set apart from the moderator's queue, in a bin of its own."""

    SUSPECTED = "suspected"  # the spam score thinks it is spam
    BLOCKED = "blocked"  # its writer is blocked
    LISTED = "listed"  # it holds a word or domain of the moderators' list


@dataclass(frozen=True)
class Hold:
    """A waiting story kept apart: the kind of hold and its reasons, in words for a moderator.

    A held story is still pending, but it does not count toward the queue's cap, brings no
    moderator email and is listed apart; releasing it puts it in the queue like any other.
    """

    kind: HoldKind
    reasons: tuple[str, ...] = ()

    @property
    def reasons_text(self) -> str:
        """The reasons as stored: one a line."""
        return "\n".join(self.reasons)


def hold_from_columns(kind: str | None, reasons: str | None) -> Hold | None:
    """The Hold of a ``stories`` row's ``held`` and ``held_reasons`` columns (None: not held)."""
    if kind is None:
        return None
    return Hold(HoldKind(kind), tuple(line for line in (reasons or "").split("\n") if line))


@dataclass(frozen=True)
class SpamScore:
    """The spam score a story got on arrival, kept whether it was held or not: its points and
    each signal's reason in words with its points (moderation/spam/score.py), so a moderator
    sees how near a waiting story came to being held."""

    points: int
    reasons: tuple[str, ...] = ()

    @property
    def reasons_text(self) -> str:
        """The reasons as stored: one a line."""
        return "\n".join(self.reasons)


def spam_score_from_columns(points: int | None, reasons: str | None) -> SpamScore | None:
    """The SpamScore of a ``stories`` row's ``spam_score`` and ``spam_reasons`` columns (None:
    never scored: an author's reply, an imported story, a story from before scores were kept)."""
    if points is None:
        return None
    return SpamScore(int(points), tuple(line for line in (reasons or "").split("\n") if line))


# The history entry written when a story is moved to each status.
ACTION_FOR_STATUS: dict[Status, Action] = {
    Status.APPROVED: Action.APPROVED,
    Status.REJECTED: Action.REJECTED,
    Status.SPAM: Action.SPAM,
    Status.PENDING: Action.RETURNED,
}


def body_fingerprint(markdown: str) -> str:
    """SHA-256 of the story as it reads (``text.fold``), so a resubmission counts as the same
    whatever its case, spacing, invisible characters or compatibility forms."""
    return hashlib.sha256(fold(markdown).encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Submission:
    """A validated reader form, ready for the store; ``honeypot`` means a bot filled the trap."""

    article: str
    name: str
    email: str | None
    notify: bool
    body_markdown: str
    reply_to: int | None
    ip_hash: str | None
    honeypot: bool = False
    hold: Hold | None = None  # set apart on arrival (a blocked writer, a listed word, spam)
    spam: SpamScore | None = None  # its spam score, once the intake has scored it

    @computed_once
    def body_hash(self) -> str:
        """Fingerprint used to spot the same story sent twice (computed once)."""
        return body_fingerprint(self.body_markdown)

    @computed_once
    def body_html(self) -> str:
        """The sanitised HTML to store (computed once).

        The intake asks for it before the story joins a write batch, so the batch, which holds
        the database's write lock, only writes. markdown-it is imported on first use: commands
        that never render should not pay for loading it.
        """
        from reader_stories.story_html import render_story

        return render_story(self.body_markdown)

    @computed_once
    def link_hosts(self) -> tuple[str, ...]:
        """The hosts the story links to (computed once), for the list of held domains."""
        from reader_stories.story_html import link_hosts

        return link_hosts(self.body_markdown)

    def prepare(self) -> None:
        """Compute the HTML and the fingerprint now, where the caller can afford the time. The
        links' hosts are left until a hold list asks for them: most sites have none, and they
        cost a second parse of the story."""
        for cached in _PREPARED:
            getattr(self, cached)

    def with_hold(self, hold: Hold | None) -> Submission:
        """The same submission, held apart; what was computed already comes along."""
        return self._changed(hold=hold)

    def with_spam(self, spam: SpamScore | None) -> Submission:
        """The same submission with its spam score, to be stored with it."""
        return self._changed(spam=spam)

    def _changed(self, **changes: Any) -> Submission:
        changed = replace(self, **changes)
        changed.__dict__.update({k: v for k, v in self.__dict__.items() if k in _COMPUTED})
        return changed


_PREPARED = ("body_html", "body_hash")
_COMPUTED = (*_PREPARED, "link_hosts")  # what _changed carries over, once computed


@dataclass(frozen=True, kw_only=True)
class Story:
    """One stored story or author reply; ``body_html`` is already sanitised."""

    id: int
    article: str
    parent_id: int | None
    name: str
    body_markdown: str
    body_html: str
    status: Status
    created: datetime
    updated: datetime
    approved_at: datetime | None
    edited: bool
    author_reply: bool
    reject_reason: str | None
    email: str | None
    notify: bool
    helpful: int = 0  # readers' networks that pressed "This helped me"
    hold: Hold | None = None  # a waiting story set apart from the queue, and why
    spam: SpamScore | None = None  # the spam score it arrived with (None: never scored)


def story_from_record(record: Any, *, public: bool = False) -> Story:
    """A Story from a ``stories`` row as any reader of the table gets it (columns as attributes,
    times already aware UTC); ``public`` leaves the writer's email and the spam score out (the
    build's query reads neither)."""
    return Story(
        id=record.id,
        article=record.article,
        parent_id=record.parent_id,
        name=record.name,
        body_markdown=record.body_markdown,
        body_html=record.body_html,
        status=Status(record.status),
        created=record.created,
        updated=record.updated,
        approved_at=record.approved_at,
        edited=bool(record.edited),
        author_reply=bool(record.author_reply),
        reject_reason=record.reject_reason,
        email=None if public else record.email,
        notify=bool(record.notify),
        helpful=int(record.helpful or 0),
        hold=hold_from_columns(record.held, record.held_reasons),
        spam=None if public else spam_score_from_columns(record.spam_score, record.spam_reasons),
    )


@dataclass(frozen=True, kw_only=True)
class ModerationEvent:
    """One line of a story's history; kept after the story itself is deleted."""

    id: int
    story_id: int
    action: Action
    actor: str
    at: datetime
    note: str | None
