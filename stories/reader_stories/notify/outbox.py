"""Queue notifications inside the caller's transaction: they exist if and only if the change does.

A composition problem (a broken template) is logged and the message skipped: mail is a courtesy,
and it must never cost a reader their submission or a moderator their approval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from reader_stories.models import Status, Story
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import Draft, MailKind
from reader_stories.store import Tx

log = logging.getLogger(__name__)


def _compose(make: Callable[[], Draft | None], story_id: int) -> Draft | None:
    try:
        return make()
    except Exception:
        log.exception("Could not compose the email about story %d; it is not sent", story_id)
        return None


def queue_new_story(tx: Tx, mailer: Mailer | None, story: Story) -> None:
    """Tell the moderator about a story waiting for them (not about honeypot spam)."""
    if mailer is None or not mailer.enabled or story.status != Status.PENDING:
        return
    draft = _compose(lambda: mailer.new_story(story), story.id)
    if draft is not None:
        tx.add_mail(draft, mailer.moderator_due(tx.clock()))


def queue_published(tx: Tx, mailer: Mailer | None, stories: Iterable[Story]) -> None:
    """Tell writers who asked that their story is on the site: once, even if re-approved."""
    if mailer is None or not mailer.enabled:
        return
    for story in stories:
        if story.status != Status.APPROVED or tx.has_mail(story.id, MailKind.PUBLISHED):
            continue
        draft = _compose(lambda story=story: mailer.published(story), story.id)
        if draft is not None:
            tx.add_mail(draft, tx.clock())


def queue_reply(tx: Tx, mailer: Mailer | None, story: Story, reply: Story) -> None:
    """Tell the writer of a published story, if they asked, that the site's author answered."""
    if mailer is None or not mailer.enabled or story.status != Status.APPROVED:
        return
    draft = _compose(lambda: mailer.replied(story, reply), story.id)
    if draft is not None:
        tx.add_mail(draft, tx.clock())


def cancel_published(tx: Tx, story_ids: Iterable[int]) -> None:
    """A story taken off the site must not be announced as published by a late email."""
    tx.cancel_mail(list(story_ids), [MailKind.PUBLISHED])
