"""What the admin's safety pages read and change: a writer's stories, blocks, the hold list and
closed articles, each in one transaction. Shared by views/writer.py and views/blocks.py.

A writer is reached through one of their stories (/writers/12), so neither their address nor
their network hash ever travels in an address or a form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from reader_stories.models import Status, Story
from reader_stories.moderation.blocks import (
    DURATIONS,
    Writer,
    block_writer,
    check_note,
    writer_of_story,
)
from reader_stories.store import Store
from reader_stories.store.blocks import Block, BlockKind, ListedTerm
from reader_stories.store.closed import ClosedArticle
from reader_stories.store.writers import WriterKeys
from reader_stories.story_html import plain_text

OPENING = 120
WAYS = {
    "both": {BlockKind.EMAIL, BlockKind.NETWORK},
    "email": {BlockKind.EMAIL},
    "network": {BlockKind.NETWORK},
}
MSG_DURATION = "Choose how long the block lasts: a day, a week, a month or for good."
MSG_WAY = "Choose how to block the writer: by email address, by network, or both."
# Pages a safety form may send the moderator back to (besides forms.back_path's).
_SAFETY_BACK_RE = re.compile(r"/(writers/[1-9][0-9]{0,9}|blocks|hold-list|closed)")


@dataclass(frozen=True)
class WriterStory:
    story: Story
    opening: str


@dataclass(frozen=True)
class WriterPage:
    """Everything one writer sent (by address, by network, or both), newest first."""

    story_id: int
    has_email: bool
    has_network: bool
    stories: tuple[WriterStory, ...]
    blocks: tuple[Block, ...]  # in force on this writer now
    waiting: int  # their stories waiting for a moderator, held or not
    by_email: int
    by_network: int


def safety_back(value: str, default: str) -> str:
    from reader_stories.web.admin.forms import back_path

    return value if _SAFETY_BACK_RE.fullmatch(value) else back_path(value, default)


def writer_page(store: Store, secret: str, story_id: int) -> WriterPage:
    """StoryNotFound when the story is gone."""
    with store.reading() as tx:
        keys = tx.writer_of(story_id)
        stories = tx.stories_by_writer(keys)
        by_email = len(tx.stories_by_writer(keys, by_network=False)) if keys.email else 0
        by_network = len(tx.stories_by_writer(keys, by_email=False)) if keys.network_hash else 0
        writer = Writer.of(secret, keys.email, keys.network_hash)
        blocks = [b for k, v in writer.names() if (b := tx.active_block(k, v)) is not None]
    return WriterPage(
        story_id=story_id,
        has_email=keys.email is not None,
        has_network=keys.network_hash is not None,
        stories=tuple(
            WriterStory(s, " ".join(plain_text(s.body_markdown, limit=OPENING).split()))
            for s in stories
        ),
        blocks=tuple(blocks),
        waiting=sum(1 for s in stories if s.status == Status.PENDING and not s.author_reply),
        by_email=by_email,
        by_network=by_network,
    )


def block_from_story(
    store: Store, secret: str, story_id: int, way: str, duration: str, note: str, actor: str
) -> list[Block]:
    """Block the writer of a story; ValueError in words for a choice that is not offered."""
    if duration not in DURATIONS:
        raise ValueError(MSG_DURATION)
    if way not in WAYS:
        raise ValueError(MSG_WAY)
    note = check_note(note)
    with store.writing() as tx:
        writer = writer_of_story(tx, secret, story_id, WAYS[way])
        return block_writer(
            tx, writer, days=DURATIONS[duration], note=note, actor=actor, story_id=story_id
        )


def waiting_ids(store: Store, story_id: int) -> list[int]:
    """The writer's stories waiting for a moderator (held or not), for "also mark as spam"."""
    with store.reading() as tx:
        keys: WriterKeys = tx.writer_of(story_id)
        stories = tx.stories_by_writer(keys)
    return [s.id for s in stories if s.status == Status.PENDING and not s.author_reply]


@dataclass(frozen=True)
class SafetyLists:
    blocks: tuple[Block, ...]
    terms: tuple[ListedTerm, ...]
    closed: tuple[ClosedArticle, ...]
    now: datetime


def safety_lists(store: Store) -> SafetyLists:
    with store.reading() as tx:
        return SafetyLists(
            tuple(tx.blocks()), tuple(tx.listed_terms()), tuple(tx.closed_articles()), tx.clock()
        )
