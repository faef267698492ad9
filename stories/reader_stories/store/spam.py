"""The SQL of the spam score and the held bin: the log of holds, recent texts' shapes, the
decisions the classifier learns from, and the bin's own upkeep (room, purge, undoing a release).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from reader_stories.errors import InvalidTransition
from reader_stories.models import Action, Hold, HoldKind, Status
from reader_stories.store import schema
from reader_stories.store.engine import Clock

_stories = schema.stories
_events = schema.moderation_events
_log = schema.hold_log
_shapes = schema.text_shapes

RELEASED_NOTE = "released from suspected"
# How long a text's shape is kept, and how many stories of one shape are kept in that time.
SHAPE_WINDOW = timedelta(days=1)
SHAPES_KEPT = 20
REHELD_NOTE = "held again: a release undone"

# Built once: the intake runs these for every story, inside its write lock.
_SHAPE_ROWS = (
    select(_shapes.c.article)
    .where(_shapes.c.shape == bindparam("shape"), _shapes.c.at >= bindparam("since"))
    .limit(SHAPES_KEPT)
)
_INSERT_SHAPE = insert(_shapes)
_spent = schema.spent_proofs
_PROOF_SPENT = select(_spent.c.proof_id).where(
    _spent.c.proof_id == bindparam("proof_id"), _spent.c.until > bindparam("now")
)


@dataclass(frozen=True)
class HoldSummary:
    """Stories held on arrival since a moment: how many, of which kind, and what was found."""

    total: int = 0
    kinds: dict[HoldKind, int] = field(default_factory=dict)
    signals: Counter[str] = field(default_factory=Counter)


class SpamQueries:
    """Mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def log_hold(
        self, story_id: int, hold: Hold, score: int | None, signals: Sequence[str]
    ) -> None:
        """Keep a held story's kind, score and reasons (words about it, never its text)."""
        self.conn.execute(
            insert(_log),
            {
                "story_id": story_id,
                "at": self.clock(),
                "kind": hold.kind.value,
                "score": score,
                "signals": ",".join(sorted(set(signals)))[:200],
                "reasons": hold.reasons_text,
            },
        )

    def hold_summary(self, since: datetime) -> HoldSummary:
        rows = self.conn.execute(select(_log.c.kind, _log.c.signals).where(_log.c.at >= since))
        kinds: Counter[HoldKind] = Counter()
        signals: Counter[str] = Counter()
        total = 0
        for kind, codes in rows:
            total += 1
            kinds[HoldKind(kind)] += 1
            signals.update(code for code in codes.split(",") if code)
        return HoldSummary(total, dict(kinds), signals)

    def prune_hold_log(self, before: datetime) -> int:
        return int(self.conn.execute(delete(_log).where(_log.c.at < before)).rowcount or 0)

    def record_shape(
        self, story_id: int, shape: str, article: str, kept: int | None = None
    ) -> None:
        """Keep a story's shape for a day; a shape already kept SHAPES_KEPT times in that day
        is not kept again, so a flood of one text costs each story a bounded read. ``kept``:
        how many are kept already, when the caller has just read them (shape_rows)."""
        now = self.clock()
        if kept is None:
            kept = len(self.shape_rows(shape, now - SHAPE_WINDOW))
        if kept >= SHAPES_KEPT:
            return
        row = {"story_id": story_id, "shape": shape, "article": article, "at": now}
        self.conn.execute(_INSERT_SHAPE, row)

    def shape_rows(self, shape: str, since: datetime) -> list[str]:
        """The article of each story with a text of this shape since ``since`` (SHAPES_KEPT
        at most): the repeats and the room left in one read."""
        return list(self.conn.scalars(_SHAPE_ROWS, {"shape": shape, "since": since}))

    def shape_articles(self, shape: str, article: str, since: datetime) -> int:
        """Other articles that got a text of this shape since ``since`` (counted among the
        SHAPES_KEPT rows a shape has at most)."""
        return len(set(self.shape_rows(shape, since)) - {article})

    def spend_proof(self, proof_id: str, until: datetime) -> bool:
        """Mark a proof of work spent until ``until``; False when it was spent already. Run
        in a write transaction, which holds the write lock: two stories cannot both spend it."""
        params = {"proof_id": proof_id, "now": self.clock()}
        if self.conn.scalar(_PROOF_SPENT, params) is not None:
            return False
        # A row past its time (not yet pruned) is replaced: its challenge has expired anyway.
        self.conn.execute(delete(_spent).where(_spent.c.proof_id == proof_id))
        self.conn.execute(insert(_spent), {"proof_id": proof_id, "until": until})
        return True

    def prune_spent_proofs(self, before: datetime) -> int:
        result = self.conn.execute(delete(_spent).where(_spent.c.until < before))
        return int(result.rowcount or 0)

    def prune_shapes(self, before: datetime) -> int:
        return int(self.conn.execute(delete(_shapes).where(_shapes.c.at < before)).rowcount or 0)

    def oldest_suspected_ids(self, count: int) -> list[int]:
        """The ``count`` suspected stories that have waited longest: the first to make room."""
        query = (
            select(_stories.c.id)
            .where(
                _stories.c.status == Status.PENDING.value,
                _stories.c.held == HoldKind.SUSPECTED.value,
            )
            .order_by(_stories.c.created, _stories.c.id)
            .limit(count)
        )
        return list(self.conn.scalars(query))

    def held_unchanged_since(self, before: datetime) -> list[int]:
        """Held stories, of every kind, that nobody has touched since ``before``."""
        query = (
            select(_stories.c.id)
            .where(
                _stories.c.status == Status.PENDING.value,
                _stories.c.held.is_not(None),
                _stories.c.updated < before,
            )
            .order_by(_stories.c.id)
        )
        return list(self.conn.scalars(query))

    def held_ids(self, kind: HoldKind | None, limit: int, offset: int = 0) -> list[int]:
        """One page of the bin, newest first (``kind``: one kind of hold only)."""
        query = select(_stories.c.id).where(
            _stories.c.status == Status.PENDING.value, _stories.c.held.is_not(None)
        )
        if kind is not None:
            query = query.where(_stories.c.held == kind.value)
        query = query.order_by(_stories.c.created.desc(), _stories.c.id.desc())
        return list(self.conn.scalars(query.limit(limit).offset(offset)))

    def held_kind_counts(self) -> dict[HoldKind, int]:
        """How many wait in the bin, per kind of hold (every kind, 0 for none)."""
        query = (
            select(_stories.c.held, func.count())
            .where(_stories.c.status == Status.PENDING.value, _stories.c.held.is_not(None))
            .group_by(_stories.c.held)
        )
        found = {HoldKind(kind): int(count) for kind, count in self.conn.execute(query)}
        return {kind: found.get(kind, 0) for kind in HoldKind}

    def last_hold(self, story_id: int) -> Hold | None:
        """The hold a story arrived with, as logged (None: it was never held)."""
        row = self.conn.execute(
            select(_log.c.kind, _log.c.reasons)
            .where(_log.c.story_id == story_id)
            .order_by(_log.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Hold(HoldKind(row.kind), tuple(line for line in row.reasons.split("\n") if line))

    def hold_again(self, story_id: int, *, actor: str) -> Hold:
        """Undo a release: a waiting story in the queue goes back to the bin it came from.
        InvalidTransition when it is not waiting in the queue or was never held."""
        story = self.get(story_id)  # type: ignore[attr-defined]
        hold = self.last_hold(story_id)
        if story.status != Status.PENDING or story.hold is not None or hold is None:
            state = "held already" if story.hold is not None else story.status
            if hold is None and story.status == Status.PENDING and story.hold is None:
                state = "a story that was never held"
            raise InvalidTransition(story_id, state, "hold again")
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(held=hold.kind.value, held_reasons=hold.reasons_text, updated=self.clock())
        )
        self.add_event(story_id, Action.RETURNED, actor, REHELD_NOTE)  # type: ignore[attr-defined]
        return hold

    def decided_texts(self, limit: int) -> tuple[list[str], list[str]]:
        """What the classifier learns from, newest first, ``limit`` of each: readers' stories
        that were published or released from suspicion, and stories marked as spam."""
        released = exists().where(
            _events.c.story_id == _stories.c.id,
            _events.c.action == Action.RETURNED.value,
            _events.c.note == RELEASED_NOTE,
        )
        readers = _stories.c.author_reply.is_(False)
        ham_query = (
            select(_stories.c.body_markdown)
            .where(
                readers,
                (_stories.c.status == Status.APPROVED.value)
                | and_(
                    _stories.c.status == Status.PENDING.value,
                    _stories.c.held.is_(None),
                    released,
                ),
            )
            .order_by(_stories.c.updated.desc(), _stories.c.id.desc())
            .limit(limit)
        )
        spam_query = (
            select(_stories.c.body_markdown)
            .where(readers, _stories.c.status == Status.SPAM.value)
            .order_by(_stories.c.updated.desc(), _stories.c.id.desc())
            .limit(limit)
        )
        return list(self.conn.scalars(ham_query)), list(self.conn.scalars(spam_query))
