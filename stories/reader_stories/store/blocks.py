"""Blocked writers and the list of words and domains that hold stories: the moderators' rows.

The store keeps what moderation/blocks.py and moderation/listed.py decide to keep: a block names
its writer by a hash (never an email address), a listed term is kept as a moderator typed it,
folded to lower case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from reader_stories.store import schema
from reader_stories.store.engine import Clock

_blocks = schema.blocks
_terms = schema.listed_terms


class BlockKind(StrEnum):
    EMAIL = "email"
    NETWORK = "network"


class TermKind(StrEnum):
    WORD = "word"  # a word or phrase, matched as whole words
    DOMAIN = "domain"  # a link's domain, and its subdomains


@dataclass(frozen=True)
class Block:
    """One block: whom (by hash), until when (None: for good), why, who and when."""

    id: int
    kind: BlockKind
    value_hash: str
    until: datetime | None
    note: str
    blocked_by: str
    blocked_at: datetime
    story_id: int | None
    lifted_by: str | None
    lifted_at: datetime | None

    def active_at(self, moment: datetime) -> bool:
        return self.lifted_at is None and (self.until is None or self.until > moment)


@dataclass(frozen=True)
class ListedTerm:
    id: int
    kind: TermKind
    value: str
    added_by: str
    added_at: datetime


def _block(row: Any) -> Block:
    return Block(
        id=int(row.id),
        kind=BlockKind(row.kind),
        value_hash=row.value_hash,
        until=row.until,
        note=row.note,
        blocked_by=row.blocked_by,
        blocked_at=row.blocked_at,
        story_id=row.story_id,
        lifted_by=row.lifted_by,
        lifted_at=row.lifted_at,
    )


def _term(row: Any) -> ListedTerm:
    return ListedTerm(int(row.id), TermKind(row.kind), row.value, row.added_by, row.added_at)


def _active(moment: Any) -> Any:
    return and_(
        _blocks.c.lifted_at.is_(None), or_(_blocks.c.until.is_(None), _blocks.c.until > moment)
    )


# Built once: the intake runs both for every story. The block in force on a writer's email
# hash or network hash (a name the writer lacks is bound as NULL, which matches nothing),
# and the list's version.
_ACTIVE_ON = select(_blocks).where(
    or_(
        and_(_blocks.c.kind == BlockKind.EMAIL.value, _blocks.c.value_hash == bindparam("email")),
        and_(
            _blocks.c.kind == BlockKind.NETWORK.value,
            _blocks.c.value_hash == bindparam("network"),
        ),
    ),
    _active(bindparam("now")),
)
_LISTED_VERSION = select(func.count(), func.max(_terms.c.id))


class BlockQueries:
    conn: Connection
    clock: Clock

    def add_block(
        self,
        kind: BlockKind,
        value_hash: str,
        *,
        until: datetime | None,
        note: str,
        actor: str,
        story_id: int | None = None,
        at: datetime | None = None,
    ) -> Block:
        """A new block, made ``at`` (the clock's now by default: pass the moment ``until`` was
        counted from); one still active on the same writer is lifted by it (the newest
        decision stands, and the list shows one active block per writer)."""
        now = at or self.clock()
        self.conn.execute(
            update(_blocks)
            .where(_blocks.c.kind == kind.value, _blocks.c.value_hash == value_hash, _active(now))
            .values(lifted_by=actor, lifted_at=now)
        )
        result = self.conn.execute(
            insert(_blocks).values(
                kind=kind.value,
                value_hash=value_hash,
                until=until,
                note=note,
                blocked_by=actor,
                blocked_at=now,
                story_id=story_id,
            )
        )
        return self.block(int(result.inserted_primary_key[0]))

    def block(self, block_id: int) -> Block:
        row = self.conn.execute(select(_blocks).where(_blocks.c.id == block_id)).one_or_none()
        if row is None:
            raise LookupError(f"There is no block #{block_id}.")
        return _block(row)

    def blocks(self) -> list[Block]:
        """Every block, newest first; the caller tells active from expired (Block.active_at)."""
        query = select(_blocks).order_by(_blocks.c.blocked_at.desc(), _blocks.c.id.desc())
        return [_block(row) for row in self.conn.execute(query)]

    def active_block(self, kind: BlockKind, value_hash: str) -> Block | None:
        """The block on this writer in force now, if any."""
        return self.active_block_of([(kind, value_hash)])

    def active_block_of(self, names: Sequence[tuple[BlockKind, str]]) -> Block | None:
        """The block in force now on any of these names of one writer (the first name's
        first), in one query: the intake asks for every story."""
        if not names:
            return None
        by_kind = dict(names)  # a writer has one name of each kind
        params = {
            "email": by_kind.get(BlockKind.EMAIL),
            "network": by_kind.get(BlockKind.NETWORK),
            "now": self.clock(),
        }
        rows = self.conn.execute(_ACTIVE_ON, params)
        found = {(row.kind, row.value_hash): _block(row) for row in rows}
        for kind, value in names:
            if (kind.value, value) in found:
                return found[(kind.value, value)]
        return None

    def lift_block(self, block_id: int, *, actor: str) -> Block:
        """End a block now (it stays listed as lifted); LookupError when there is none, or it
        is not active any more."""
        block = self.block(block_id)
        if not block.active_at(self.clock()):
            raise LookupError(f"Block #{block_id} is not active any more; nothing was changed.")
        self.conn.execute(
            update(_blocks)
            .where(_blocks.c.id == block_id)
            .values(lifted_by=actor, lifted_at=self.clock())
        )
        return self.block(block_id)

    # The list of words and domains

    def listed_terms(self) -> list[ListedTerm]:
        """In the order they were added."""
        query = select(_terms).order_by(_terms.c.id)
        return [_term(row) for row in self.conn.execute(query)]

    def listed_values(self) -> tuple[tuple[str, str], ...]:
        """(kind, value) of every term, in the order they were added."""
        query = select(_terms.c.kind, _terms.c.value).order_by(_terms.c.id)
        return tuple((kind, value) for kind, value in self.conn.execute(query))

    def listed_version(self) -> tuple[int, int]:
        """(how many terms, the newest id): ids are never reused and only grow, so the pair
        changes whenever the list does. One row to read, where the list may have hundreds."""
        row = self.conn.execute(_LISTED_VERSION).one()
        return int(row[0]), int(row[1] or 0)

    def add_listed_term(self, kind: TermKind, value: str, *, actor: str) -> bool:
        """Add a term (already normalised); False when it is on the list already."""
        exists = self.conn.scalar(
            select(_terms.c.id).where(_terms.c.kind == kind.value, _terms.c.value == value)
        )
        if exists is not None:
            return False
        self.conn.execute(
            insert(_terms).values(
                kind=kind.value, value=value, added_by=actor, added_at=self.clock()
            )
        )
        return True

    def remove_listed_term(self, kind: TermKind, value: str) -> bool:
        """Take a term off the list; False when it was not on it."""
        result = self.conn.execute(
            delete(_terms).where(_terms.c.kind == kind.value, _terms.c.value == value)
        )
        return bool(result.rowcount)
