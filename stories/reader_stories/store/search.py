"""The SQL behind finding stories: by status, article, writer, words and network, newest first
or, when asked, highest spam score first.

The admin's filtered queue and the command line's ``list`` ask the same questions, so they share
these queries and read the same way. Matching is deliberately simple, the same on SQLite and
PostgreSQL: the writer and the words are case-insensitive "contains" (or, for the writer,
"is exactly") over the stored name, address and Markdown; SQLite folds the case of ASCII
letters only, PostgreSQL of every letter. A network is the keyed hash the intake stores, or the
start of it. Stories held apart from the queue (models.Hold) are in none of these lists: they
wait in their own, until released or decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select

from reader_stories.models import Status
from reader_stories.store import schema

_stories = schema.stories


@dataclass(frozen=True)
class StoryFilter:
    """What to look for; every field left None matches everything. ``status`` None: any."""

    status: Status | None = Status.PENDING
    article: str | None = None
    writer: str | None = None
    writer_exact: bool = False
    text: str | None = None
    network: str | None = None  # lowercase hexadecimal: the whole hash or its start
    # The order rather than a filter: highest spam score first, stories never scored last.
    by_score: bool = False

    @property
    def narrowed(self) -> bool:
        """Whether anything but the status narrows the list."""
        return any((self.article, self.writer, self.text, self.network))


def _conditions(wanted: StoryFilter, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    # Only a waiting story is ever held; a decision or a release clears the hold.
    found: list[ColumnElement[bool]] = [_stories.c.held.is_(None)]
    if with_status and wanted.status is not None:
        found.append(_stories.c.status == wanted.status.value)
    if wanted.article:
        found.append(_stories.c.article == wanted.article)
    if wanted.writer:
        if wanted.writer_exact:
            same = func.lower(wanted.writer)
            found.append(
                or_(func.lower(_stories.c.name) == same, func.lower(_stories.c.email) == same)
            )
        else:
            found.append(
                or_(
                    _stories.c.name.icontains(wanted.writer, autoescape=True),
                    _stories.c.email.icontains(wanted.writer, autoescape=True),
                )
            )
    if wanted.text:
        found.append(_stories.c.body_markdown.icontains(wanted.text, autoescape=True))
    if wanted.network:
        found.append(_stories.c.ip_hash.startswith(wanted.network, autoescape=True))
    return found


def _order(wanted: StoryFilter) -> tuple[Any, ...]:
    """The pending queue and every status at once: newest first. A moderated list: most
    recently changed first, for undoing. By score: the highest first, then in that order; a
    story never scored has no score to compare, so it comes last (NULLS LAST, written out:
    the two databases put nulls at opposite ends)."""
    if wanted.status is None or wanted.status == Status.PENDING:
        by_time = (_stories.c.created.desc(), _stories.c.id.desc())
    else:
        by_time = (_stories.c.updated.desc(), _stories.c.id.desc())
    if wanted.by_score:
        return (_stories.c.spam_score.desc().nulls_last(), *by_time)
    return by_time


def _where(query: Select[Any], conditions: list[ColumnElement[bool]]) -> Select[Any]:
    return query.where(and_(*conditions))


class SearchQueries:
    """Mixed into the store's Tx, which supplies conn."""

    conn: Connection

    def search_ids(self, wanted: StoryFilter, limit: int | None, offset: int = 0) -> list[int]:
        """The ids of the matching stories, in the list's order, one page of them."""
        query = select(_stories.c.id).order_by(*_order(wanted))
        query = _where(query, _conditions(wanted)).limit(limit).offset(offset)
        return list(self.conn.scalars(query))

    def search_counts(self, wanted: StoryFilter) -> dict[Status, int]:
        """How many stories in each status match everything else the filter asks."""
        query = select(_stories.c.status, func.count()).group_by(_stories.c.status)
        query = _where(query, _conditions(wanted, with_status=False))
        found = {Status(status): int(count) for status, count in self.conn.execute(query)}
        return {status: found.get(status, 0) for status in Status}

    def articles_with_stories(self) -> list[tuple[str, int]]:
        """Each article slug that has stories in the lists, with how many, in slug order."""
        query = (
            select(_stories.c.article, func.count())
            .where(_stories.c.held.is_(None))
            .group_by(_stories.c.article)
            .order_by(_stories.c.article)
        )
        return [(str(slug), int(count)) for slug, count in self.conn.execute(query)]

    def network_hashes(self, story_ids: Sequence[int]) -> dict[int, str]:
        """The network hash of each of these stories that has one (imported ones have none)."""
        query = select(_stories.c.id, _stories.c.ip_hash).where(
            _stories.c.id.in_(list(story_ids)), _stories.c.ip_hash.is_not(None)
        )
        return {int(row.id): str(row.ip_hash) for row in self.conn.execute(query)}
