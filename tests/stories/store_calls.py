"""One-call store helpers for tests: each runs one ``Tx`` method in a transaction of its own.

Product code opens its own transactions (``store.reading()``, ``store.writing()``) around all it
does; a test often wants a single change or read and nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reader_stories.models import ModerationEvent, Status, Story, Submission
from reader_stories.store import Store


def add_submission(store: Store, submission: Submission, **options: Any) -> Story:
    with store.writing() as tx:
        return tx.add_submission(submission, **options)


def events(store: Store, story_id: int) -> list[ModerationEvent]:
    with store.reading() as tx:
        return tx.events(story_id)


def pending_count(store: Store) -> int:
    with store.reading() as tx:
        return tx.pending_count()


def approved_counts(store: Store) -> dict[str, int]:
    with store.reading() as tx:
        return tx.approved_counts()


def set_status(
    store: Store, story_id: int, status: Status, *, reason: str | None = None, actor: str
) -> Story:
    with store.writing() as tx:
        return tx.set_status(story_id, status, reason=reason, actor=actor)


def edit_body(store: Store, story_id: int, markdown: str, *, actor: str) -> Story:
    with store.writing() as tx:
        return tx.edit_body(story_id, markdown, actor=actor)


def add_author_reply(
    store: Store, parent_id: int, markdown: str, *, author_name: str, actor: str
) -> Story:
    with store.writing() as tx:
        return tx.add_author_reply(parent_id, markdown, author_name=author_name, actor=actor)


def delete(store: Store, story_id: int, *, actor: str) -> list[int]:
    with store.writing() as tx:
        return tx.delete(story_id, actor=actor)


def recent_duplicate(store: Store, article: str, body_hash: str, within: timedelta) -> int | None:
    with store.reading() as tx:
        found = tx.recent_duplicate_story(article, body_hash, within)
    return None if found is None else found[0]


def record_rate_event(store: Store, network_hash: str) -> None:
    with store.writing() as tx:
        tx.record_rate_event(network_hash)


def count_rate_events(store: Store, network_hash: str, since: datetime) -> int:
    with store.reading() as tx:
        return tx.count_rate_events(network_hash, since)


def prune_rate_events(store: Store, before: datetime) -> int:
    with store.writing() as tx:
        return tx.prune_rate_events(before)
