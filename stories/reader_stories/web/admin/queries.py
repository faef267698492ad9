"""What the admin reads: one page of a status list with each story's context and flags.

Each function reads in one snapshot (``store.reading()``). The queries are the admin's own (lists
by status, counts, replies), written against the same tables as store.py; the flags (links,
first-time author, duplicate, personal data) are moderation/flags.py's, shared with the
moderator's email.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select

from reader_stories.models import Action, ModerationEvent, Status, Story
from reader_stories.moderation import changes
from reader_stories.moderation.changes import WaitingChange
from reader_stories.moderation.flags import Flags, flags_of
from reader_stories.store import Store, Tx, schema
from reader_stories.story_html import plain_text, sanitise
from reader_stories.web.admin.link_targets import show_link_targets

PAGE_SIZE = 25
CONTEXT_WORDS = 90  # characters of the story a reply answers
_stories = schema.stories


@dataclass(frozen=True)
class Parent:
    """The story a reply answers: who wrote it and how it starts."""

    id: int
    name: str
    status: Status
    opening: str


@dataclass(frozen=True)
class Item:
    story: Story
    preview: Markup
    flags: Flags
    parent: Parent | None
    replies: int
    opening: str  # its first words, on one line, for pages that list stories briefly


@dataclass(frozen=True)
class Listing:
    status: Status
    items: tuple[Item, ...]
    page: int
    pages: int
    total: int
    counts: dict[Status, int]
    # Writers' changes to published stories, shown above the pending queue.
    changes: tuple[WaitingChange, ...] = ()


def _counts(tx: Tx) -> dict[Status, int]:
    query = select(_stories.c.status, func.count()).group_by(_stories.c.status)
    found = {Status(status): int(count) for status, count in tx.conn.execute(query)}
    return {status: found.get(status, 0) for status in Status}


def _page_ids(tx: Tx, status: Status, page: int) -> list[int]:
    """Pending: newest first. Moderated lists: most recently changed first, for undoing."""
    order = (
        (_stories.c.created.desc(), _stories.c.id.desc())
        if status == Status.PENDING
        else (_stories.c.updated.desc(), _stories.c.id.desc())
    )
    query = (
        select(_stories.c.id)
        .where(_stories.c.status == status.value)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return list(tx.conn.scalars(query))


def _reply_counts(tx: Tx, ids: Sequence[int]) -> dict[int, int]:
    query = (
        select(_stories.c.parent_id, func.count())
        .where(_stories.c.parent_id.in_(list(ids)))
        .group_by(_stories.c.parent_id)
    )
    return {int(parent): int(count) for parent, count in tx.conn.execute(query)}


def _items(tx: Tx, stories: Sequence[Story]) -> tuple[Item, ...]:
    ids = [story.id for story in stories]
    if not ids:
        return ()
    flags = flags_of(tx, stories)
    replies = _reply_counts(tx, ids)
    parent_ids = sorted({s.parent_id for s in stories if s.parent_id is not None})
    parents = {p.id: p for p in tx.get_many(parent_ids)} if parent_ids else {}
    items = []
    for story in stories:
        parent = parents.get(story.parent_id) if story.parent_id is not None else None
        items.append(
            Item(
                story=story,
                # Sanitised when stored; cleaned again here so the admin never trusts a row.
                # Then each link's target is written out beside it, to be judged.
                preview=Markup(show_link_targets(sanitise(story.body_html))),
                flags=flags[story.id],
                parent=None
                if parent is None
                else Parent(
                    parent.id,
                    parent.name,
                    parent.status,
                    plain_text(parent.body_markdown, limit=CONTEXT_WORDS),
                ),
                replies=replies.get(story.id, 0),
                opening=" ".join(plain_text(story.body_markdown, limit=CONTEXT_WORDS).split()),
            )
        )
    return tuple(items)


def listing(store: Store, status: Status, page: int) -> Listing:
    """One page of the stories in ``status``; a page past the end comes back empty."""
    with store.reading() as tx:
        counts = _counts(tx)
        ids = _page_ids(tx, status, page)
        items = _items(tx, tx.get_many(ids)) if ids else ()
        waiting = tuple(changes.waiting_in(tx)) if status == Status.PENDING else ()
    total = counts[status]
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return Listing(status, items, page, pages, total, counts, changes=waiting)


def story_item(store: Store, story_id: int) -> tuple[Item, list[ModerationEvent]]:
    """One story with its flags and its history (StoryNotFound when it is gone)."""
    with store.reading() as tx:
        story = tx.get(story_id)
        return _items(tx, [story])[0], tx.events(story_id)


def items_of(store: Store, story_ids: Sequence[int]) -> tuple[Item, ...]:
    """These stories with their flags, in the order given (StoryNotFound if one is gone)."""
    with store.reading() as tx:
        return _items(tx, tx.get_many(list(story_ids)))


def current_statuses(store: Store, story_ids: Sequence[int]) -> dict[int, Status]:
    """The status of each id that still exists; a missing id was deleted (or never was)."""
    query = select(_stories.c.id, _stories.c.status).where(_stories.c.id.in_(list(story_ids)))
    with store.reading() as tx:
        return {row.id: Status(row.status) for row in tx.conn.execute(query)}


def deletion(store: Store, story_id: int) -> ModerationEvent | None:
    """The history line of a story's deletion, if it was deleted (the history outlives it)."""
    with store.reading() as tx:
        events = tx.events(story_id)
    deleted = [event for event in events if event.action == Action.DELETED]
    return deleted[-1] if deleted else None
