"""Readers' rights over their data: delete one story by its receipt, forget an address, purge.

Plain functions over a store, shared by the intake (receipt links) and `invoke comments.*`.
Each runs in one transaction and returns the stories it removed, so callers can update the
article pages that showed them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from reader_stories.models import Status, Story
from reader_stories.notify.follow import FOLLOW_CONFIRM_DAYS
from reader_stories.store import Store, Tx

PURGED_STATUSES = (Status.REJECTED, Status.SPAM, Status.PENDING)
DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class Removed:
    """What went: every id removed (replies included) and the articles that showed any of it."""

    ids: tuple[int, ...]
    published_articles: frozenset[str]
    follows: int = 0  # follows of articles ended with it (their addresses deleted)

    def __len__(self) -> int:
        return len(self.ids)


def _remove(tx: Tx, story_ids: Iterable[int], actor: str) -> Removed:
    gone: list[int] = []
    articles: set[str] = set()
    for story_id in story_ids:
        if story_id in gone:
            continue  # already removed as a reply of a story removed just before
        story: Story | None = tx.find(story_id)
        if story is None:
            continue
        if story.status == Status.APPROVED:
            articles.add(story.article)
        removed = tx.delete(story_id, actor=actor)
        gone.extend(removed)
    return Removed(tuple(gone), frozenset(articles))


def delete_by_receipt(store: Store, story_id: int) -> Removed:
    """The reader's own deletion link: the story and any replies under it, for good."""
    with store.writing() as tx:
        tx.get(story_id)
        return _remove(tx, [story_id], "reader")


def forget_email(store: Store, email: str) -> Removed:
    """Everything tied to an address: every story written with it, with the replies under them,
    and its follows of articles."""
    if "@" not in email:
        raise ValueError(f"{email!r} is not an email address.")
    with store.writing() as tx:
        tx.forget_held_email(email)
        follows = tx.end_follows(email)
        removed = _remove(tx, tx.ids_with_email(email), "moderator")
        return replace(removed, follows=follows)


def purge(
    store: Store, days: int = DEFAULT_RETENTION_DAYS, rate_window: timedelta = timedelta(days=1)
) -> Removed:
    """Drop rejected and spam stories, and never-moderated pending ones, older than `days`.

    Imported stories still waiting stay until a moderator decides on them: they carry their
    old dates, and the purge must not empty a moderation queue the import just filled.

    Rate-limit records older than `rate_window` (at least the configured window) go too, and
    so does the log of mail sent or given up before the same cutoff as the stories. An email
    address whose owner never confirmed it is forgotten `days` after it was asked to, with the
    email waiting for it; its stories stay. A follow of an article nobody confirmed goes with
    its address FOLLOW_CONFIRM_DAYS after it was made, whatever ``days`` says.
    """
    if days < 1:
        raise ValueError("Keep stories for at least 1 day (--days 1 or more).")
    with store.writing() as tx:
        cutoff = tx.clock() - timedelta(days=days)
        waiting_imports = tx.imported_pending_ids()
        due = [
            i for i in tx.ids_unchanged_since(PURGED_STATUSES, cutoff) if i not in waiting_imports
        ]
        removed = _remove(tx, due, "purge")
        tx.prune_rate_events(tx.clock() - rate_window)
        tx.prune_mail(cutoff)
        for address in tx.unconfirmed_addresses(asked_before=cutoff):
            tx.unsubscribe(address)
        follows = tx.expire_unconfirmed_follows(tx.clock() - timedelta(days=FOLLOW_CONFIRM_DAYS))
        return replace(removed, follows=follows)
