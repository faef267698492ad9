"""The moderation service: each action with everything that follows from it.

The command line (`invoke comments.*`) and the web admin both call these functions. Each runs
the action (moderation/actions.py or privacy.py, one transaction), then rewrites the article
pages it changed through the republisher, so a change is live as soon as the call returns. Each
returns an ``Outcome``: plain data that the command line prints and the admin shows, both in
the words of moderation/report.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from reader_stories.models import Status, Story
from reader_stories.moderation import actions, per_story, privacy
from reader_stories.moderation.edit_rules import EditRules
from reader_stories.moderation.per_story import Missing, Skipped
from reader_stories.notify.messages import Mailer
from reader_stories.pages.republish import LivePages, PageUpdate
from reader_stories.store import Store


class Done(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "marked as spam"
    RETURNED = "back to pending"
    EDITED = "edited"
    REPLIED = "replied"
    DELETED = "deleted"
    FORGOTTEN = "forgotten"
    PURGED = "purged"


@dataclass(frozen=True)
class Outcome:
    """What one action did: the stories it changed or wrote, the ids it removed, and the
    article pages it rewrote. ``public``: readers' pages change (now, or at the next build
    when ``republished`` is False, as on a server without the built site)."""

    done: Done
    stories: tuple[Story, ...] = ()
    removed: tuple[int, ...] = ()
    pages: tuple[PageUpdate, ...] = ()
    public: bool = False
    republished: bool = False
    days: int = 0  # purge: the retention it applied
    follows: int = 0  # forget and purge: follows of articles ended
    # Ids acted on one by one (the command line): those left as they were, and why.
    skipped: tuple[Skipped, ...] = ()
    missing: tuple[Missing, ...] = ()
    replies: dict[int, tuple[int, ...]] = field(default_factory=dict)  # deleted with a story

    @property
    def complete(self) -> bool:
        """Every id asked for was acted on."""
        return not self.skipped and not self.missing


def _outcome(
    done: Done,
    store: Store,
    republisher: LivePages | None,
    articles: Iterable[str],
    **fields: object,
) -> Outcome:
    """The outcome, once the pages of ``articles`` (those readers see change) are rewritten."""
    articles = set(articles)
    pages = republisher.articles(store, articles) if republisher and articles else []
    return Outcome(
        done,
        pages=tuple(pages),
        public=bool(articles),
        republished=republisher is not None,
        **fields,  # type: ignore[arg-type]
    )


def _published(store: Store, ids: Sequence[int]) -> set[str]:
    """Articles that show one of these stories now (read before a change takes it away)."""
    with store.reading() as tx:
        stories = tx.get_many(ids)
    return {story.article for story in stories if story.status == Status.APPROVED}


def approve(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    mailer: Mailer | None = None,
    expected: Status | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    stories = actions.approve(store, ids, mailer=mailer, expected=expected, actor=actor)
    articles = (story.article for story in stories)
    return _outcome(Done.APPROVED, store, republisher, articles, stories=tuple(stories))


def reject(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    reason: str | None,
    expected: Status | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    was_public = _published(store, ids)
    stories = actions.reject(store, ids, reason, expected=expected, actor=actor)
    return _outcome(Done.REJECTED, store, republisher, was_public, stories=tuple(stories))


def spam(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    expected: Status | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    was_public = _published(store, ids)
    stories = actions.mark_spam(store, ids, expected=expected, actor=actor)
    return _outcome(Done.SPAM, store, republisher, was_public, stories=tuple(stories))


def return_to_pending(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    expected: Status | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    """Undo decisions, all or none: the stories wait again; published ones leave their page."""
    was_public = _published(store, ids)
    stories = actions.return_to_pending(store, ids, expected=expected, actor=actor)
    return _outcome(Done.RETURNED, store, republisher, was_public, stories=tuple(stories))


_DONE_FOR = {
    Status.APPROVED: Done.APPROVED,
    Status.REJECTED: Done.REJECTED,
    Status.SPAM: Done.SPAM,
    Status.PENDING: Done.RETURNED,
}


def move_each(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    target: Status,
    reason: str | None = None,
    mailer: Mailer | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    """Every id attempted (the command line): those that can move do, the rest are named."""
    before = _statuses(store, ids)
    result = per_story.move_each(store, ids, target, reason, mailer=mailer, actor=actor)
    articles = {
        s.article
        for s in result.done
        if Status.APPROVED in (s.status, before[s.id].status)  # on the page before or after
    }
    return _outcome(
        _DONE_FOR[target],
        store,
        republisher,
        articles,
        stories=result.done,
        skipped=result.skipped,
        missing=result.missing,
    )


def delete_each(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    """Every id attempted: each story that exists is deleted, the rest are named."""
    before = _statuses(store, ids)
    result = per_story.delete_each(store, ids, actor=actor)
    articles = {before[i].article for i in result.replies if before[i].status == Status.APPROVED}
    return _outcome(
        Done.DELETED,
        store,
        republisher,
        articles,
        removed=result.removed,
        replies=result.replies,
        missing=result.missing,
    )


def _statuses(store: Store, ids: Sequence[int]) -> dict[int, Story]:
    """The stories of these ids that exist, as they are before a change."""
    with store.reading() as tx:
        return {i: story for i in ids if (story := tx.find(i)) is not None}


def _edited(store: Store, republisher: LivePages | None, story: Story) -> Outcome:
    """A story's words changed: its page is rewritten when it is published."""
    articles = [story.article] if story.status == Status.APPROVED else []
    return _outcome(Done.EDITED, store, republisher, articles, stories=(story,))


def edit(
    store: Store,
    republisher: LivePages | None,
    story_id: int,
    text: str | None,
    rules: EditRules,
    name: str | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    """A new text or name (None keeps it), checked as the form checks a reader's."""
    edited = actions.edit(store, story_id, text, rules=rules, name=name, actor=actor)
    return _edited(store, republisher, edited)


def redact(
    store: Store,
    republisher: LivePages | None,
    story_id: int,
    text: str,
    rules: EditRules,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    """One piece of personal data out of the story; a published page changes at once."""
    redacted = actions.redact(store, story_id, text, rules=rules, actor=actor)
    return _edited(store, republisher, redacted)


def reply(
    store: Store,
    republisher: LivePages | None,
    story_id: int,
    text: str,
    author: str,
    mailer: Mailer | None = None,
    actor: str | None = None,
) -> Outcome:
    """The author's reply; the history names ``actor`` (the moderator who wrote it), else the
    author."""
    answer = actions.reply(store, story_id, text, author, mailer=mailer, actor=actor)
    return _outcome(Done.REPLIED, store, republisher, [answer.article], stories=(answer,))


def approve_and_reply(
    store: Store,
    republisher: LivePages | None,
    story_id: int,
    text: str,
    author: str,
    mailer: Mailer | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> list[Outcome]:
    """Publish a waiting story with the author's answer under it, as one decision of the
    moderator's. The reply is checked first, so a reply the rules refuse approves nothing."""
    actions.clean_reply(text)
    approved = approve(store, republisher, [story_id], mailer, Status.PENDING, actor)
    return [approved, reply(store, republisher, story_id, text, author, mailer, actor)]


def delete(
    store: Store,
    republisher: LivePages | None,
    ids: Sequence[int],
    expected: Status | None = None,
    actor: str = actions.DEFAULT_ACTOR,
) -> Outcome:
    was_public = _published(store, ids)
    removed = actions.delete(store, ids, expected=expected, actor=actor)
    return _outcome(Done.DELETED, store, republisher, was_public, removed=tuple(removed))


def forget(store: Store, republisher: LivePages | None, email: str) -> Outcome:
    removed = privacy.forget_email(store, email)
    articles = removed.published_articles
    return _outcome(
        Done.FORGOTTEN, store, republisher, articles, removed=removed.ids, follows=removed.follows
    )


def purge(
    store: Store,
    republisher: LivePages | None,
    days: int,
    rate_window: timedelta = timedelta(days=1),
) -> Outcome:
    removed = privacy.purge(store, days, max(rate_window, timedelta(days=1)))
    articles = removed.published_articles
    return _outcome(
        Done.PURGED,
        store,
        republisher,
        articles,
        removed=removed.ids,
        days=days,
        follows=removed.follows,
    )


def reader_deleted(store: Store, republisher: LivePages | None, story_id: int) -> Outcome:
    """A reader's own deletion link (the intake's receipt): the story and its replies go."""
    removed = privacy.delete_by_receipt(store, story_id)
    articles = removed.published_articles
    return _outcome(Done.DELETED, store, republisher, articles, removed=removed.ids)
