"""Following an article: double opt-in, one email per story published there or one daily
digest, one-click stop.

A reader types an address into the small form under the stories, and chooses how often to
hear. The follow is stored unconfirmed and the address gets one email, a link to a page whose
button confirms (mail scanners open links, so opening it changes nothing); nothing else is sent
before that. An unconfirmed follow is deleted with its address FOLLOW_CONFIRM_DAYS after it was
made. Once confirmed, each reader story a moderator approves on the article is announced to it,
queued in the approval's transaction, never to the story's own writer; or, for a digest, the
sender queues one email a day listing the stories approved since the last one (none on a day
without new stories). Unsubscribing, `comments.forget` or a bounce deletes the follow and its
address.

The answer at the form is the same whatever the store held, so nobody learns from it whether
an address follows an article.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from reader_stories.models import Status, Story
from reader_stories.notify.messages import Mailer
from reader_stories.store import Store, Tx
from reader_stories.store.follows import Follow

log = logging.getLogger(__name__)

# An unconfirmed follow and its address are deleted this many days after it was made.
FOLLOW_CONFIRM_DAYS = 7
# The request to confirm one follow is sent again at most once a day (following twice asks
# again), and an address gets at most this many such requests a day over every article.
ASK_AGAIN_AFTER = timedelta(days=1)
REQUESTS_PER_ADDRESS_PER_DAY = 3
# A digest follow hears at most once in this long.
DIGEST_EVERY = timedelta(days=1)


class FollowState(StrEnum):
    """Where a follow stands when its link is opened."""

    GONE = "gone"  # unsubscribed, forgotten, bounced or never confirmed in time
    WAITING = "waiting"
    CONFIRMED = "confirmed"


@dataclass(frozen=True)
class FollowOutcome:
    """What a request at the form did; the log says it, the page never does."""

    follow_id: int
    asked: bool  # a request to confirm was queued now


def _ask(tx: Tx, mailer: Mailer, follow: Follow) -> bool:
    """Queue the request to confirm, unless confirmed, asked lately, or the address had its
    share today (typing a stranger's address again and again must not flood them)."""
    now = tx.clock()
    asked = follow.confirm_requested_at
    if follow.confirmed or (asked is not None and asked > now - ASK_AGAIN_AFTER):
        return False
    today = tx.follow_requests_since(follow.email, now - timedelta(days=1))
    if today >= REQUESTS_PER_ADDRESS_PER_DAY:
        return False
    try:
        draft = mailer.follow_confirmation(follow)
    except Exception:
        log.exception("Could not compose the request to confirm follow %d", follow.id)
        return False
    tx.add_mail(draft, now)
    tx.mark_follow_asked(follow.id)
    return True


def request_follow(
    tx: Tx, mailer: Mailer, article: str, email: str, digest: bool = False
) -> FollowOutcome:
    """Follow ``article`` with ``email`` (unconfirmed), asking the address to confirm;
    ``digest``: one email a day, not one per story.

    Following again is not an error: a confirmed follow stays as it is (how often it hears
    included, since anyone can type an address), an unconfirmed one takes the new choice and is
    asked again at most once a day. Runs in the caller's write transaction.
    """
    follow = tx.follow_of(article, email)
    if follow is None:
        follow = tx.add_follow(article, email, digest)
    elif not follow.confirmed and follow.digest != digest:
        tx.set_follow_digest(follow.id, digest)
        follow = replace(follow, digest=digest)
    return FollowOutcome(follow.id, _ask(tx, mailer, follow))


def follow_state(store: Store, follow_id: int) -> tuple[FollowState, str]:
    """Where the follow stands, and its article ("" when it is gone)."""
    with store.reading() as tx:
        follow = tx.find_follow(follow_id)
    if follow is None:
        return FollowState.GONE, ""
    return (FollowState.CONFIRMED if follow.confirmed else FollowState.WAITING), follow.article


def confirm_follow(store: Store, follow_id: int) -> tuple[FollowState, str]:
    """Confirm a follow; what it was before, and its article. A second click changes nothing."""
    with store.writing() as tx:
        follow = tx.find_follow(follow_id)
        if follow is None:
            return FollowState.GONE, ""
        if follow.confirmed:
            return FollowState.CONFIRMED, follow.article
        tx.confirm_follow(follow_id)
    return FollowState.WAITING, follow.article


def end_follow(store: Store, follow_id: int) -> bool:
    """Unsubscribe: the follow, its address and its unsent mail go; whether there was one."""
    with store.writing() as tx:
        return tx.end_follow(follow_id) > 0


def queue_followers(tx: Tx, mailer: Mailer, story: Story) -> int:
    """One email per confirmed follower of the story's article, in the approval's transaction.

    Not for author replies, not to the story's writer (by address), not to followers who asked
    for a daily digest (queue_digests tells them), and never twice for one story and follower
    (a story approved again after going back to pending). How many queued.
    """
    if story.status != Status.APPROVED or story.author_reply:
        return 0
    writer = (story.email or "").strip().lower()
    queued = 0
    for follow in tx.confirmed_followers(story.article):
        if follow.digest or follow.email.strip().lower() == writer:
            continue
        if tx.has_follow_mail(follow.id, story.id):
            continue
        try:
            draft = mailer.follow_story(follow, story)
        except Exception:
            log.exception("Could not compose the email about story %d to a follower", story.id)
            continue
        tx.add_mail(draft, tx.clock())
        queued += 1
    return queued


def queue_digests(store: Store, mailer: Mailer) -> int:
    """Queue the daily digest of every follow whose day has passed and whose article has new
    stories since its last one, in one transaction; how many were queued. A follow without
    new stories gets nothing, and its next digest still counts from its last one."""
    with store.writing() as tx:
        now = tx.clock()
        queued = 0
        for follow in tx.digests_due(now - DIGEST_EVERY):
            stories = tx.stories_for_digest(follow, now)
            if not stories:
                continue
            try:
                draft = mailer.follow_digest(follow, stories)
            except Exception:
                log.exception("Could not compose the digest of follow %d", follow.id)
                continue
            tx.add_mail(draft, now)
            tx.mark_digest_queued(follow.id)
            queued += 1
        return queued
