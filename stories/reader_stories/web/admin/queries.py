"""What the admin reads: one page of a list, filtered, with each story's context and flags.

Each function reads in one snapshot (``store.reading()``). The queries are the admin's own
(counts, replies), written against the same tables as store.py; finding the stories a list's
filters ask for is store/search.py's, shared with the command line; the flags (links,
first-time author, duplicate, personal data) are moderation/flags.py's, shared with the
moderator's email.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select

from reader_stories.models import Action, HoldKind, ModerationEvent, Status, Story
from reader_stories.moderation import changes
from reader_stories.moderation.changes import WaitingChange
from reader_stories.moderation.flags import Flags, flags_of
from reader_stories.moderation.spam.shown import score_words
from reader_stories.store import Store, StoryFilter, Tx, schema
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
    network: str | None = None  # the keyed hash of the writer's network, when it was kept

    @property
    def spam(self) -> str | None:
        """The spam score in words for the card; None where the card has it already or it
        means nothing: a suspected story's hold names its score and reasons, and an author's
        reply is never scored."""
        story = self.story
        if story.author_reply or (story.hold is not None and story.hold.kind == HoldKind.SUSPECTED):
            return None
        return score_words(story.spam)


@dataclass(frozen=True)
class Article:
    """An article that has stories, for the article filter: its slug, title when known."""

    slug: str
    title: str | None
    stories: int


@dataclass(frozen=True)
class Listing:
    """One page of a list. ``counts``: every story by status (the queue's size, for the title);
    ``matching``: by status, those the filters other than the status match (for the tabs)."""

    wanted: StoryFilter
    items: tuple[Item, ...]
    page: int
    pages: int
    total: int
    counts: dict[Status, int]  # pending: the queue only, without the held stories
    matching: dict[Status, int]
    articles: tuple[Article, ...]
    held: int = 0  # waiting stories held apart from the queue (models.Hold)
    # Writers' changes to published stories, shown above the pending queue.
    changes: tuple[WaitingChange, ...] = ()

    @property
    def status(self) -> Status | None:
        return self.wanted.status


def _counts(tx: Tx) -> dict[Status, int]:
    query = select(_stories.c.status, func.count()).group_by(_stories.c.status)
    found = {Status(status): int(count) for status, count in tx.conn.execute(query)}
    found[Status.PENDING] = tx.pending_count()
    return {status: found.get(status, 0) for status in Status}


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
    networks = tx.network_hashes(ids)
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
                network=networks.get(story.id),
            )
        )
    return tuple(items)


def listing(
    store: Store, wanted: StoryFilter, page: int, titles: Callable[[str], str | None]
) -> Listing:
    """One page of the stories ``wanted`` asks for; a page past the end comes back empty.
    ``titles`` names an article by its slug when the built site knows it."""
    with store.reading() as tx:
        counts = _counts(tx)
        held = tx.held_count()
        matching = tx.search_counts(wanted) if wanted.narrowed else counts
        ids = tx.search_ids(wanted, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        items = _items(tx, tx.get_many(ids)) if ids else ()
        in_use = tx.articles_with_stories()
        unfiltered_queue = wanted.status == Status.PENDING and not wanted.narrowed
        waiting = tuple(changes.waiting_in(tx)) if unfiltered_queue else ()
    total = sum(matching.values()) if wanted.status is None else matching[wanted.status]
    articles = tuple(Article(slug, titles(slug), count) for slug, count in in_use)
    return Listing(
        wanted,
        items,
        page,
        max(1, math.ceil(total / PAGE_SIZE)),
        total,
        counts,
        matching,
        tuple(sorted(articles, key=lambda a: ((a.title or a.slug).casefold(), a.slug))),
        held,
        changes=waiting,
    )


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
