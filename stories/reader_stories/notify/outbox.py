"""Queue notifications inside the caller's transaction: they exist if and only if the change does.

A composition problem (a broken template) is logged and the message skipped: mail is a courtesy,
and it must never cost a reader their submission or a moderator their approval.

Anyone can type any address into the story form, so an address gets one email before any other:
a request to confirm it. Reader mail queued meanwhile waits in the outbox (the sender takes
none to an address not confirmed) and goes once the address is confirmed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from reader_stories.models import Status, Story
from reader_stories.notify.follow import queue_followers
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import Draft, MailKind
from reader_stories.store import Tx

log = logging.getLogger(__name__)

# At most one request to confirm an address a day: typing a stranger's address into the form
# again and again does not make us write to them again.
CONFIRM_INTERVAL = timedelta(days=1)


def _compose(make: Callable[[], Draft | None], story_id: int) -> Draft | None:
    try:
        return make()
    except Exception:
        log.exception("Could not compose the email about story %d; it is not sent", story_id)
        return None


def request_confirmation(tx: Tx, mailer: Mailer, story: Story) -> None:
    """Ask the writer to confirm their address, unless it is confirmed or was asked lately."""
    if not (mailer.enabled and story.notify and story.email):
        return
    if tx.address_confirmed(story.email):
        # Marked on this story too: the address stays confirmed if the others are deleted.
        tx.confirm_address(story.email)
        return
    if tx.confirmation_requested(story.email, tx.clock() - CONFIRM_INTERVAL):
        return
    draft = _compose(lambda: mailer.confirmation(story), story.id)
    if draft is not None:
        tx.add_mail(draft, tx.clock())
        tx.mark_confirmation_requested(story.id)


def queue_new_story(tx: Tx, mailer: Mailer | None, story: Story) -> None:
    """Tell the moderator about a story waiting for them (not about honeypot spam), and ask
    the writer to confirm the address they gave for news of it."""
    if mailer is None or not mailer.enabled or story.status != Status.PENDING:
        return
    draft = _compose(lambda: mailer.new_story(story), story.id)
    if draft is not None:
        tx.add_mail(draft, mailer.moderator_due(tx.clock()))
    request_confirmation(tx, mailer, story)


def queue_published(tx: Tx, mailer: Mailer | None, stories: Iterable[Story]) -> None:
    """Tell writers who asked that their story is on the site: once, even if re-approved;
    and the article's followers that a new story is there (notify/follow.py)."""
    if mailer is None or not mailer.enabled:
        return
    for story in stories:
        queue_followers(tx, mailer, story)
        if story.status != Status.APPROVED or tx.has_mail(story.id, MailKind.PUBLISHED):
            continue
        draft = _compose(lambda story=story: mailer.published(story), story.id)
        if draft is not None:
            tx.add_mail(draft, tx.clock())
            request_confirmation(tx, mailer, story)


def queue_reply(tx: Tx, mailer: Mailer | None, story: Story, reply: Story) -> None:
    """Tell the writer of a published story, if they asked, that the site's author answered."""
    if mailer is not None:
        _tell_writer(tx, mailer, story, lambda: mailer.replied(story, reply))


def queue_change_decided(tx: Tx, mailer: Mailer | None, story: Story, approved: bool) -> None:
    """Tell the writer of a published story, if they asked, what became of their change."""
    if mailer is not None:
        _tell_writer(tx, mailer, story, lambda: mailer.change_decided(story, approved))


def _tell_writer(tx: Tx, mailer: Mailer, story: Story, compose: Callable[[], Draft | None]) -> None:
    """Queue news of a published story for its writer (the mailer gives none unless they asked),
    and ask them to confirm their address first if they have not."""
    if not mailer.enabled or story.status != Status.APPROVED:
        return
    draft = _compose(compose, story.id)
    if draft is not None:
        tx.add_mail(draft, tx.clock())
        request_confirmation(tx, mailer, story)


def cancel_published(tx: Tx, story_ids: Iterable[int]) -> None:
    """A story taken off the site must not be announced as published by a late email, to
    its writer or to the article's followers."""
    tx.cancel_mail(list(story_ids), [MailKind.PUBLISHED, MailKind.FOLLOW_STORY])
