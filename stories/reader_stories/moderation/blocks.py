"""Blocking a writer: their new stories are taken as any other, then held for review.

A writer is named by email address or by network (the keyed hash the store keeps of each
story's client network). A block by email keeps no address: only a keyed hash of it, folded to
lower case, so the block works for as long as it lasts while the store holds nothing a reader
could ask to have forgotten; the same secret that keys network hashes keys it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from reader_stories.store import Tx
from reader_stories.store.blocks import Block, BlockKind

# The durations a moderator picks from: the admin's choice, the CLI's --days N or --forever.
DURATIONS: dict[str, int | None] = {"day": 1, "week": 7, "month": 30, "forever": None}
DURATION_LABELS = {
    "day": "for a day",
    "week": "for a week",
    "month": "for a month",
    "forever": "for good",
}
MAX_DAYS = 36_500
NOTE_LENGTH = 500


def email_hash(secret: str, email: str) -> str:
    """The keyed hash a block by email keeps instead of the address (case-insensitive)."""
    folded = email.strip().casefold()
    return hmac.new(secret.encode(), f"blocked-email:{folded}".encode(), hashlib.sha256).hexdigest()


def until_for(now: datetime, days: int | None) -> datetime | None:
    """When a block of ``days`` ends (None: for good)."""
    return None if days is None else now + timedelta(days=days)


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(
            f"A block lasts 1 to {MAX_DAYS:,} days; {days} is not that. Use --forever for good."
        )
    return days


def check_note(note: str) -> str:
    note = " ".join(note.split())
    if len(note) > NOTE_LENGTH:
        raise ValueError(f"The note has {len(note)} characters; keep it to {NOTE_LENGTH}.")
    return note


@dataclass(frozen=True)
class Writer:
    """Who wrote a story, as blocks name them: a hash of the email, the network hash."""

    email_hash: str | None
    network_hash: str | None

    @classmethod
    def of(cls, secret: str, email: str | None, network_hash: str | None) -> Writer:
        return cls(email_hash(secret, email) if email else None, network_hash or None)

    def names(self) -> list[tuple[BlockKind, str]]:
        found = []
        if self.email_hash:
            found.append((BlockKind.EMAIL, self.email_hash))
        if self.network_hash:
            found.append((BlockKind.NETWORK, self.network_hash))
        return found


def active_block(tx: Tx, writer: Writer) -> Block | None:
    """The block in force on this writer (email first, then network), if any."""
    return tx.active_block_of(writer.names())


def block_words(block: Block) -> str:
    """What a block is, for a moderator: "by email, until 9 December 2026 14:00 UTC"."""
    by = "by email" if block.kind == BlockKind.EMAIL else "by network"
    if block.until is None:
        return f"{by}, for good"
    return f"{by}, until {block.until.day} {block.until:%B %Y %H:%M} UTC"


def block_state(block: Block, now: datetime) -> str:
    """active, lifted or expired."""
    if block.lifted_at is not None:
        return "lifted"
    return "active" if block.active_at(now) else "expired"


MSG_NOTHING_TO_BLOCK = (
    "Story #{story_id} carries no email address and no network to block it by; nothing was changed."
)


def writer_of_story(tx: Tx, secret: str, story_id: int, ways: set[BlockKind]) -> Writer:
    """The writer of a story, named the ways asked for (StoryNotFound when it is gone)."""
    keys = tx.writer_of(story_id)
    writer = Writer.of(
        secret,
        keys.email if BlockKind.EMAIL in ways else None,
        keys.network_hash if BlockKind.NETWORK in ways else None,
    )
    if not writer.names():
        raise ValueError(MSG_NOTHING_TO_BLOCK.format(story_id=story_id))
    return writer


def block_writer(
    tx: Tx,
    writer: Writer,
    *,
    days: int | None,
    note: str,
    actor: str,
    story_id: int | None = None,
) -> list[Block]:
    """One block per way the writer is named, all ending together."""
    now = tx.clock()
    until = until_for(now, days)
    return [
        tx.add_block(kind, value, until=until, note=note, actor=actor, story_id=story_id, at=now)
        for kind, value in writer.names()
    ]


def blocked_in_words(blocks: list[Block]) -> list[str]:
    return [f"Block #{block.id}: {block_words(block)}." for block in blocks] + [
        "Their new stories are taken as any other, then held for review; they are not told."
    ]
