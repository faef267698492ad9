"""The SQL for stories and their moderation history, run inside a transaction of the store.

The statements a reader's submission runs are built once, with bound parameters, and reused:
building and fingerprinting a SQLAlchemy statement costs more than SQLite takes to run it, and
the intake runs them for every story while it holds the write lock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, insert, or_, select, update

from reader_stories.errors import (
    DuplicateSubmission,
    FieldError,
    InvalidTransition,
    QueueFull,
    StoryNotFound,
    ValidationFailed,
)
from reader_stories.models import (
    ACTION_FOR_STATUS,
    Action,
    ModerationEvent,
    Status,
    Story,
    Submission,
    body_fingerprint,
    story_from_record,
)
from reader_stories.store import schema
from reader_stories.store.engine import Clock
from reader_stories.validation import MSG_REPLY_UNAVAILABLE

READER_ACTOR = "reader"

_stories = schema.stories
_events = schema.moderation_events

_FIND = select(_stories).where(_stories.c.id == bindparam("story_id"))
_RECENT_DUPLICATE = (
    select(_stories.c.id, _stories.c.status)
    .where(
        _stories.c.article == bindparam("article"),
        _stories.c.body_hash == bindparam("body_hash"),
        _stories.c.created >= bindparam("since"),
    )
    .order_by(_stories.c.created.desc(), _stories.c.id.desc())
    .limit(1)
)
# The moderator's queue: waiting stories that are not held apart (see models.Hold).
_IN_QUEUE = (_stories.c.status == Status.PENDING.value, _stories.c.held.is_(None))
_HELD = (_stories.c.status == Status.PENDING.value, _stories.c.held.is_not(None))
_PENDING_COUNT = select(func.count()).where(*_IN_QUEUE)
_HELD_COUNT = select(func.count()).where(*_HELD)
# Counts no further than the cap: a long queue costs no more to check than a full one.
_PENDING_UP_TO = select(func.count()).select_from(
    select(_stories.c.id).where(*_IN_QUEUE).limit(bindparam("cap")).subquery()
)
_INSERT_STORY = insert(_stories)
_INSERT_EVENT = insert(_events)


def _render(markdown: str) -> str:
    """Imported on first use: markdown-it costs tens of milliseconds at start-up, and commands
    such as ``invoke comments.approve`` never render."""
    from reader_stories.story_html import render_story

    return render_story(markdown)


class StoryQueries:
    """Reading and writing stories; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    # Reading stories

    def find(self, story_id: int) -> Story | None:
        row = self.conn.execute(_FIND, {"story_id": story_id}).first()
        return None if row is None else story_from_record(row)

    def get(self, story_id: int) -> Story:
        story = self.find(story_id)
        if story is None:
            raise StoryNotFound(story_id)
        return story

    def get_many(self, story_ids: Sequence[int]) -> list[Story]:
        """The stories in the order asked; the first unknown id raises StoryNotFound."""
        rows = self.conn.execute(select(_stories).where(_stories.c.id.in_(list(story_ids))))
        found = {row.id: story_from_record(row) for row in rows}
        for story_id in story_ids:
            if story_id not in found:
                raise StoryNotFound(story_id)
        return [found[story_id] for story_id in story_ids]

    def pending(self, limit: int | None = None, *, held: bool = False) -> list[Story]:
        """The queue (or, with ``held``, the stories held apart), newest first: the order of
        the admin's lists, so both read the same way."""
        query = (
            select(_stories)
            .where(*(_HELD if held else _IN_QUEUE))
            .order_by(_stories.c.created.desc(), _stories.c.id.desc())
            .limit(limit)
        )
        return [story_from_record(row) for row in self.conn.execute(query)]

    def pending_count(self) -> int:
        """Stories in the moderator's queue; held ones are counted by held_count."""
        return int(self.conn.scalar(_PENDING_COUNT) or 0)

    def held_count(self) -> int:
        return int(self.conn.scalar(_HELD_COUNT) or 0)

    def _approved_query(self) -> Select[Any]:
        """Approved rows whose thread is visible: a reply shows only under an approved story."""
        parent = _stories.alias("parent")
        return (
            select(_stories)
            .outerjoin(parent, parent.c.id == _stories.c.parent_id)
            .where(
                _stories.c.status == Status.APPROVED.value,
                or_(_stories.c.parent_id.is_(None), parent.c.status == Status.APPROVED.value),
            )
            .order_by(_stories.c.article, _stories.c.created, _stories.c.id)
        )

    def approved_for_article(self, slug: str) -> list[Story]:
        """Stories and replies in the order written; replies point at their story by parent_id."""
        query = self._approved_query().where(_stories.c.article == slug)
        return [story_from_record(row, public=True) for row in self.conn.execute(query)]

    def approved_for_articles(self, slugs: Collection[str]) -> list[Story]:
        """These articles' stories and replies, grouped by article, each in the order written."""
        query = self._approved_query().where(_stories.c.article.in_(list(slugs)))
        return [story_from_record(row, public=True) for row in self.conn.execute(query)]

    def approved_all(self) -> list[Story]:
        """Every published story and reply, grouped by article, without emails."""
        query = self._approved_query()
        return [story_from_record(row, public=True) for row in self.conn.execute(query)]

    def approved_newest(self, limit: int) -> list[Story]:
        """The newest published stories and replies of the whole site, newest first."""
        query = (
            self._approved_query()
            .order_by(None)
            .order_by(_stories.c.created.desc(), _stories.c.id.desc())
            .limit(limit)
        )
        return [story_from_record(row, public=True) for row in self.conn.execute(query)]

    def approved_summary(self) -> tuple[list[int], datetime | None]:
        """The ids of every published story and reply, in order, and the latest change to any."""
        visible = self._approved_query().order_by(None).subquery()
        ids = [row[0] for row in self.conn.execute(select(visible.c.id).order_by(visible.c.id))]
        latest = self.conn.execute(select(func.max(visible.c.updated))).scalar()
        return ids, latest

    def known_ids(self, story_ids: Iterable[int]) -> set[int]:
        """Which of these ids the store holds, as a story or in the moderation history."""
        wanted = sorted(set(story_ids))
        known: set[int] = set()
        for start in range(0, len(wanted), 500):  # within every database's parameter limit
            chunk = wanted[start : start + 500]
            held = select(_stories.c.id).where(_stories.c.id.in_(chunk))
            logged = select(_events.c.story_id).where(_events.c.story_id.in_(chunk))
            known.update(row[0] for row in self.conn.execute(held.union(logged)))
        return known

    def approved_counts(self) -> dict[str, int]:
        """Approved top-level stories per article (author replies are not reader stories)."""
        query = (
            select(_stories.c.article, func.count())
            .where(_stories.c.status == Status.APPROVED.value, _stories.c.parent_id.is_(None))
            .group_by(_stories.c.article)
        )
        return {article: int(count) for article, count in self.conn.execute(query)}

    def recent_duplicate_story(
        self, article: str, body_hash: str, within: timedelta
    ) -> tuple[int, str] | None:
        """(id, status) of the newest story with the same fingerprint on the article, if recent."""
        params = {"article": article, "body_hash": body_hash, "since": self.clock() - within}
        row = self.conn.execute(_RECENT_DUPLICATE, params).first()
        return None if row is None else (row.id, row.status)

    def events(self, story_id: int) -> list[ModerationEvent]:
        query = select(_events).where(_events.c.story_id == story_id).order_by(_events.c.id)
        return [
            ModerationEvent(
                id=row.id,
                story_id=row.story_id,
                action=Action(row.action),
                actor=row.actor,
                at=row.at,
                note=row.note,
            )
            for row in self.conn.execute(query)
        ]

    def ids_with_email(self, email: str) -> list[int]:
        """Stories whose writer gave this address, compared without regard to case."""
        query = (
            select(_stories.c.id)
            .where(func.lower(_stories.c.email) == email.strip().lower())
            .order_by(_stories.c.id)
        )
        return list(self.conn.scalars(query))

    def ids_unchanged_since(self, statuses: Sequence[Status], before: datetime) -> list[int]:
        """Stories in one of ``statuses`` whose last change is older than ``before``."""
        query = (
            select(_stories.c.id)
            .where(
                _stories.c.status.in_([status.value for status in statuses]),
                _stories.c.updated < before,
            )
            .order_by(_stories.c.id)
        )
        return list(self.conn.scalars(query))

    # Writing stories

    def add_event(self, story_id: int, action: Action, actor: str, note: str | None = None) -> None:
        values = {
            "story_id": story_id,
            "action": action.value,
            "actor": actor,
            "at": self.clock(),
            "note": note,
        }
        self.conn.execute(_INSERT_EVENT, values)

    def _thread_root(self, submission: Submission) -> int | None:
        """The approved story a reader replies to; replies to replies join the same thread."""
        if submission.reply_to is None:
            return None
        parent = self.find(submission.reply_to)
        if parent is not None and parent.parent_id is not None:
            parent = self.find(parent.parent_id)
        if (
            parent is None
            or parent.status != Status.APPROVED
            or (parent.article != submission.article)
        ):
            raise ValidationFailed([FieldError("reply_to", MSG_REPLY_UNAVAILABLE)])
        return parent.id

    def _insert_story(
        self,
        *,
        body_markdown: str,
        body_html: str | None = None,
        body_hash: str | None = None,
        approved_at: datetime | None = None,
        **values: Any,
    ) -> Story:
        """Insert a story and return it as stored, without reading it back.

        ``body_html`` and ``body_hash`` may come precomputed (the intake renders before it
        takes the write lock); otherwise they are computed here.
        """
        now = self.clock().astimezone(UTC)
        row: dict[str, Any] = {
            # A hold and a spam score only when the caller has them.
            "held": None,
            "held_reasons": None,
            "spam_score": None,
            "spam_reasons": None,
            **values,
            "body_markdown": body_markdown,
            "body_html": _render(body_markdown) if body_html is None else body_html,
            "body_hash": body_fingerprint(body_markdown) if body_hash is None else body_hash,
            "created": now,
            "updated": now,
            "approved_at": None if approved_at is None else approved_at.astimezone(UTC),
            "edited": False,
            "reject_reason": None,
            "helpful": 0,
        }
        result = self.conn.execute(_INSERT_STORY, row)
        return story_from_record(SimpleNamespace(id=int(result.inserted_primary_key[0]), **row))

    def _queue_at_least(self, count: int) -> bool:
        """Whether at least ``count`` stories wait for a moderator."""
        return int(self.conn.execute(_PENDING_UP_TO, {"cap": count}).scalar() or 0) >= count

    def add_submission(
        self,
        submission: Submission,
        *,
        duplicate_within: timedelta | None = None,
        max_pending: int | None = None,
    ) -> Story:
        """Queue a reader's story (straight to spam if the honeypot was filled; held apart
        when the submission carries a hold), with its spam score when it was scored.

        ``duplicate_within`` refuses the same story on the same article within that time;
        ``max_pending`` refuses new stories while the queue is that long (held stories do not
        count, and are never refused by it). Both checks and the insert share the write lock,
        so concurrent intakes cannot slip past them.
        """
        if duplicate_within is not None:
            existing = self.recent_duplicate_story(
                submission.article, submission.body_hash, duplicate_within
            )
            if existing is not None:
                raise DuplicateSubmission(*existing)
        if (
            max_pending is not None
            and not submission.honeypot
            and submission.hold is None
            and (max_pending < 1 or self._queue_at_least(max_pending))
        ):
            raise QueueFull(max_pending)
        status = Status.SPAM if submission.honeypot else Status.PENDING
        hold = None if submission.honeypot else submission.hold
        story = self._insert_story(
            article=submission.article,
            parent_id=self._thread_root(submission),
            name=submission.name,
            email=submission.email,
            notify=submission.notify,
            body_markdown=submission.body_markdown,
            body_html=submission.body_html,
            body_hash=submission.body_hash,
            status=status.value,
            author_reply=False,
            ip_hash=submission.ip_hash,
            held=None if hold is None else hold.kind.value,
            held_reasons=None if hold is None else hold.reasons_text,
            spam_score=None if submission.spam is None else submission.spam.points,
            spam_reasons=None if submission.spam is None else submission.spam.reasons_text,
        )
        note = "honeypot field filled" if submission.honeypot else None
        if hold is not None:
            note = "held apart: " + "; ".join(hold.reasons or (hold.kind.value,))
        self.add_event(story.id, Action.SUBMITTED, READER_ACTOR, note)
        return story

    def set_status(
        self, story_id: int, status: Status, *, reason: str | None = None, actor: str
    ) -> Story:
        """Move a story to ``status`` and record why; transition rules live in moderation. A
        held story leaves its bin: decided, or back in the queue."""
        self.get(story_id)
        now = self.clock()
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(
                held=None,
                held_reasons=None,
                status=status.value,
                updated=now,
                approved_at=now if status == Status.APPROVED else None,
                reject_reason=reason if status == Status.REJECTED else None,
            )
        )
        self.add_event(story_id, ACTION_FOR_STATUS[status], actor, reason)
        return self.get(story_id)

    def release_held(self, story_id: int, *, actor: str) -> Story:
        """Put a held story in the moderator's queue like any other; the history says so.
        InvalidTransition when it is not a held, waiting story."""
        story = self.get(story_id)
        if story.status != Status.PENDING or story.hold is None:
            state = "in the queue already" if story.status == Status.PENDING else story.status
            raise InvalidTransition(story_id, state, "release")
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(held=None, held_reasons=None, updated=self.clock())
        )
        self.add_event(story_id, Action.RETURNED, actor, f"released from {story.hold.kind.value}")
        return self.get(story_id)

    def edit_body(
        self,
        story_id: int,
        markdown: str,
        *,
        actor: str,
        name: str | None = None,
        note: str | None = None,
    ) -> Story:
        """Replace the text (and the name, when given), re-render it and flag the story as
        edited by a moderator; ``note`` says in the history what changed."""
        self.get(story_id)
        values: dict[str, object] = {
            "body_markdown": markdown,
            "body_html": _render(markdown),
            "body_hash": body_fingerprint(markdown),
            "edited": True,
            "updated": self.clock(),
        }
        if name is not None:
            values["name"] = name
        self.conn.execute(update(_stories).where(_stories.c.id == story_id).values(**values))
        self.add_event(story_id, Action.EDITED, actor, note)
        return self.get(story_id)

    def change_by_writer(self, story_id: int, markdown: str, name: str) -> Story:
        """The writer's own change to a story still waiting for a moderator: new text and name,
        re-rendered, not flagged as edited (the words are still theirs). InvalidTransition once
        a moderator has decided; the check and the change share this transaction."""
        story = self.get(story_id)
        if story.status != Status.PENDING:
            raise InvalidTransition(story_id, story.status.value, "change")
        values = {
            "body_markdown": markdown,
            "body_html": _render(markdown),
            "body_hash": body_fingerprint(markdown),
            "name": name,
            "updated": self.clock(),
        }
        self.conn.execute(update(_stories).where(_stories.c.id == story_id).values(**values))
        self.add_event(story_id, Action.EDITED, READER_ACTOR, "changed by its writer")
        return self.get(story_id)

    def add_author_reply(
        self, parent_id: int, markdown: str, *, author_name: str, actor: str
    ) -> Story:
        """An editor's reply under a story, published at once and flagged as author reply."""
        parent = self.get(parent_id)
        reply = self._insert_story(
            article=parent.article,
            parent_id=parent.id,
            name=author_name,
            email=None,
            notify=False,
            body_markdown=markdown,
            status=Status.APPROVED.value,
            approved_at=self.clock(),
            author_reply=True,
            ip_hash=None,
        )
        self.add_event(reply.id, Action.REPLIED, actor, f"reply to story {parent.id}")
        return reply

    def delete(self, story_id: int, *, actor: str) -> list[int]:
        """Remove a story and its replies for good; the history keeps who deleted what."""
        self.get(story_id)
        reply_ids = list(
            self.conn.scalars(
                select(_stories.c.id)
                .where(_stories.c.parent_id == story_id)
                .order_by(_stories.c.id)
            )
        )
        if reply_ids:
            self.conn.execute(delete(_stories).where(_stories.c.id.in_(reply_ids)))
        self.conn.execute(delete(_stories).where(_stories.c.id == story_id))
        self.add_event(story_id, Action.DELETED, actor)
        for reply_id in reply_ids:
            self.add_event(reply_id, Action.DELETED, actor, f"deleted with story {story_id}")
        return [story_id, *reply_ids]
