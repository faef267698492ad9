"""The moderator's email about new stories, written when it is sent rather than when queued.

Between a story's arrival and its email there may be a digest window, or a mail server that is
down for hours; meanwhile a moderator may handle the story. So the sender asks the store, at
the moment of sending, which of a letter's stories still wait: only those are written about
(the article's title from the built site, the flags the admin shows, the link to the story in
the admin, and one-click links signed then, so their time runs from the email's arrival), and
a letter about none of them is not sent at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from reader_stories.models import Status, Story
from reader_stories.moderation.flags import Flags, flags_of, without_personal_data
from reader_stories.notify.action_links import LinkAction
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import OutboxMessage
from reader_stories.store import Store


@dataclass(frozen=True)
class NewStory:
    """One waiting story as the email shows it."""

    story: Story
    title: str | None  # the article's title; None when the site is not built (the slug then)
    flags: Flags
    text: str  # the story as typed, less the personal data the privacy check found
    admin_url: str | None
    approve_url: str | None
    reject_url: str | None


@dataclass(frozen=True)
class ModeratorLetter:
    """What to send (nothing when every story was handled) and the messages it leaves out."""

    kept: tuple[OutboxMessage, ...]
    stale: tuple[OutboxMessage, ...]
    subject: str = ""
    body: str = ""


def _waiting(
    store: Store, messages: Sequence[OutboxMessage]
) -> tuple[dict[int, tuple[Story, Flags]], bool]:
    """The letter's stories that still wait for moderation, with their flags, by id; and
    whether a moderator account exists (then the admin is on, password hash or not)."""
    ids = sorted({m.story_id for m in messages if m.story_id is not None})
    with store.reading() as tx:
        found = tx.get_many(ids) if ids else []
        # A held story (suspected spam, a blocked writer) is not worth a moderator's email.
        stories = [s for s in found if s.status == Status.PENDING and s.hold is None]
        flags = flags_of(tx, stories)
        accounts = tx.count_moderators() > 0
    return {story.id: (story, flags[story.id]) for story in stories}, accounts


def new_story(
    mailer: Mailer, story: Story, flags: Flags, now: datetime, accounts: bool = False
) -> NewStory:
    """The story as the email shows it, its one-click links signed at ``now`` (``accounts``:
    moderator accounts exist, so the admin is on)."""
    admin_on = accounts or mailer.admin_enabled
    return NewStory(
        story=story,
        title=mailer.article_title(story.article),
        flags=flags,
        text=without_personal_data(story.body_markdown, flags.personal),
        admin_url=mailer.admin_story_url(story.id, admin_on),
        approve_url=mailer.action_url(story.id, LinkAction.APPROVE, now, admin_on),
        reject_url=mailer.action_url(story.id, LinkAction.REJECT, now, admin_on),
    )


def render_new_story(mailer: Mailer, entry: NewStory, now: datetime) -> tuple[str, str]:
    """The subject and body of mail/moderator.txt about one waiting story."""
    return mailer.render(
        "moderator.txt",
        entry=entry,
        story=entry.story,
        article_url=mailer.article_url(entry.story.article),
        expires=now + timedelta(hours=mailer.settings.moderator_link_hours),
        production=mailer.settings.production,
    )


def write_letter(
    store: Store, mailer: Mailer, messages: Sequence[OutboxMessage], now: datetime
) -> ModeratorLetter:
    """One email for the stories of ``messages`` still waiting: alone, or as a digest."""
    waiting, accounts = _waiting(store, messages)
    kept = tuple(m for m in messages if m.story_id in waiting)
    stale = tuple(m for m in messages if m.story_id not in waiting)
    if not kept:
        return ModeratorLetter(kept, stale)
    bodies = []
    subject = ""
    for message in kept:
        story, flags = waiting[message.story_id]  # type: ignore[index]
        subject, body = render_new_story(
            mailer, new_story(mailer, story, flags, now, accounts), now
        )
        bodies.append(body)
    if len(kept) > 1:
        ids = [m.story_id for m in kept if m.story_id is not None]
        subject, body = mailer.digest(bodies, ids)
        return ModeratorLetter(kept, stale, subject, body)
    return ModeratorLetter(kept, stale, subject, bodies[0])
