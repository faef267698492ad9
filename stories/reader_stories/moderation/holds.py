"""What the intake holds apart on arrival: a blocked writer's story, then one with a listed word
or domain. The reader is answered exactly as for any story; only the moderators see the hold.

``hold_for`` runs inside the intake's write transaction, beside the rate limit and the duplicate
check: one indexed look-up of the writer's blocks, one row saying whether the list changed (it
is read again only then), and a scan of the story with a matcher compiled once per list
(listed.py).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from reader_stories.models import Hold, HoldKind, Submission
from reader_stories.moderation.blocks import Writer, active_block, block_words
from reader_stories.moderation.listed import matcher
from reader_stories.store import Tx

# Per database (its engine), the list as last read and the version it was read at.
_LISTS: WeakKeyDictionary[Engine, tuple[tuple[int, int], tuple[tuple[str, str], ...]]] = (
    WeakKeyDictionary()
)


def listed_terms(tx: Tx) -> tuple[tuple[str, str], ...]:
    """The list, read again only when its version (store.blocks.listed_version) changed; the
    version is read once per transaction, which in the intake writes a batch of stories."""
    version = tx.once("listed_version", tx.listed_version)
    if version == (0, 0):
        return ()
    engine = tx.conn.engine
    cached = _LISTS.get(engine)
    if cached is not None and cached[0] == version:
        return cached[1]
    terms = tx.listed_values()
    _LISTS[engine] = (version, terms)
    return terms


def hold_for(tx: Tx, submission: Submission, secret: str) -> Hold | None:
    """The hold for a new story (blocked before listed), or None when it joins the queue."""
    writer = Writer.of(secret, submission.email, submission.ip_hash)
    block = active_block(tx, writer)
    if block is not None:
        return Hold(HoldKind.BLOCKED, (f"its writer is blocked ({block_words(block)})",))
    terms = listed_terms(tx)
    if not terms:
        return None
    texts = (submission.name, submission.body_markdown)
    reasons = matcher(terms).reasons(texts, submission.link_hosts)
    return Hold(HoldKind.LISTED, reasons) if reasons else None
