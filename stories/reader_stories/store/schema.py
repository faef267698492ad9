"""Table objects for the current schema, shared by the store's queries and the schema test.

Migrations keep their own frozen copies: a migration must create what existed when it was
written, not whatever this file says today.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    column,
    false,
)
from sqlalchemy.types import TypeDecorator

from reader_stories.models import Action, Status
from reader_stories.notify.records import MailKind

SLUG_LENGTH = 200
NAME_LENGTH = 200
EMAIL_LENGTH = 254
HASH_LENGTH = 64
ENUM_LENGTH = 16
CLAIM_LENGTH = 32
SOURCE_LENGTH = 32


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (portable across SQLite and PostgreSQL), returns aware UTC."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass a timezone-aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def status_check(name: str) -> CheckConstraint:
    """Refuse any status text the code does not know, whichever program writes the row."""
    return CheckConstraint(column("status").in_([s.value for s in Status]), name=name)


def action_check(name: str) -> CheckConstraint:
    """Same guard for the history's action column."""
    return CheckConstraint(column("action").in_([a.value for a in Action]), name=name)


def mail_kind_check(name: str) -> CheckConstraint:
    """Same guard for the outbox's kind column."""
    return CheckConstraint(column("kind").in_([k.value for k in MailKind]), name=name)


metadata = MetaData()

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article", String(SLUG_LENGTH), nullable=False),
    Column(
        "parent_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE", name="fk_stories_parent"),
        nullable=True,
    ),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("email", String(EMAIL_LENGTH), nullable=True),
    Column("notify", Boolean, nullable=False),
    # Whether the writer confirmed the address with the link of the one email it gets before
    # any other, and when that email was queued (see notify/outbox.py). An address counts as
    # confirmed when any story holding it is.
    Column("email_confirmed", Boolean, nullable=False, default=False, server_default=false()),
    Column("confirm_requested_at", UTCDateTime, nullable=True),
    Column("body_markdown", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("body_hash", String(HASH_LENGTH), nullable=False),
    Column("status", String(ENUM_LENGTH), nullable=False),
    Column("reject_reason", Text, nullable=True),
    Column("edited", Boolean, nullable=False),
    Column("author_reply", Boolean, nullable=False),
    Column("ip_hash", String(HASH_LENGTH), nullable=True),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("approved_at", UTCDateTime, nullable=True),
    # How many reader networks pressed "This helped me" (helpful_marks holds one row each).
    Column("helpful", Integer, nullable=False, default=0, server_default="0"),
    # A waiting story set apart from the queue: the kind of hold (models.HoldKind) and its
    # reasons in words, one a line; both null for every other story.
    Column("held", String(ENUM_LENGTH), nullable=True),
    Column("held_reasons", Text, nullable=True),
    # The spam score a reader's story got on arrival, held or not (models.SpamScore): its
    # points and their reasons in words, one a line; both null for a story never scored (an
    # author's reply, an imported story, any story from before scores were kept).
    Column("spam_score", Integer, nullable=True),
    Column("spam_reasons", Text, nullable=True),
    status_check("ck_stories_status"),
    # AUTOINCREMENT: ids are never reused, so a deleted story's history stays its own.
    sqlite_autoincrement=True,
)
Index("ix_stories_article_status", stories.c.article, stories.c.status)
Index("ix_stories_status_created", stories.c.status, stories.c.created)
Index("ix_stories_article_body_hash", stories.c.article, stories.c.body_hash)
Index("ix_stories_parent_id", stories.c.parent_id)
Index("ix_stories_status_held", stories.c.status, stories.c.held)

# No foreign key to stories on purpose: the history of a deleted story must outlive it.
moderation_events = Table(
    "moderation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", Integer, nullable=False),
    Column("action", String(ENUM_LENGTH), nullable=False),
    Column("actor", String(NAME_LENGTH), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=True),
    action_check("ck_moderation_events_action"),
)
Index("ix_moderation_events_story_id", moderation_events.c.story_id)

rate_events = Table(
    "rate_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("network_hash", String(HASH_LENGTH), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_rate_events_network_at", rate_events.c.network_hash, rate_events.c.at)

# "This helped me": one row per story and reader network (the keyed hash the rate limit uses),
# so pressing the button again changes nothing; a story's deletion takes its marks with it.
helpful_marks = Table(
    "helpful_marks",
    metadata,
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE", name="fk_helpful_marks_story"),
        primary_key=True,
    ),
    Column("network_hash", String(HASH_LENGTH), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

# A writer's change to their published story, waiting for a moderator: one row per story (a
# second change replaces the first), gone when a moderator decides on it or the story is
# deleted. The published row keeps the approved words until the change is approved.
story_revisions = Table(
    "story_revisions",
    metadata,
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE", name="fk_story_revisions_story"),
        primary_key=True,
    ),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("body_markdown", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
)

# Readers following an article: one row per article and address, from the form under the
# stories until the follow ends (unsubscribe, `comments.forget`, a bounce, or no confirmation
# within FOLLOW_CONFIRM_DAYS). The address lives here and nowhere else.
follows = Table(
    "follows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article", String(SLUG_LENGTH), nullable=False),
    Column("email", String(EMAIL_LENGTH), nullable=False),
    Column("confirmed", Boolean, nullable=False, default=False, server_default=false()),
    Column("created", UTCDateTime, nullable=False),
    Column("confirm_requested_at", UTCDateTime, nullable=True),
    # One daily digest instead of an email per story; the next one lists the stories approved
    # after digest_since (set when the follow is confirmed, then when each digest is queued).
    Column("digest", Boolean, nullable=False, default=False, server_default=false()),
    Column("digest_since", UTCDateTime, nullable=True),
    sqlite_autoincrement=True,
)
Index("ix_follows_article", follows.c.article)
Index("ix_follows_email", follows.c.email)

# Email waiting to be sent (and, without address or body, a log of what was sent or given up).
# The address stays only until the message is sent or given up; deleting a story deletes its mail.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE", name="fk_outbox_story"),
        nullable=True,
    ),
    Column("recipient", String(EMAIL_LENGTH), nullable=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=True),
    Column("unsubscribe_url", Text, nullable=True),
    Column("created", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("failed_at", UTCDateTime, nullable=True),
    Column("claim", String(CLAIM_LENGTH), nullable=True),
    # The follow a follower's email belongs to; no foreign key, like story_id's log rows, but
    # its unsent mail is deleted with the follow (store/follows.py).
    Column("follow_id", Integer, nullable=True),
    mail_kind_check("ck_outbox_kind"),
    sqlite_autoincrement=True,
)
Index("ix_outbox_next_attempt", outbox.c.next_attempt)
Index("ix_outbox_story_id", outbox.c.story_id)
Index("ix_outbox_follow_id", outbox.c.follow_id)

# Articles whose pages moderation changed and that wait to be pushed to a public site published
# elsewhere (rsync to a host, a git branch); a row goes once its article is live there.
page_pushes = Table(
    "page_pushes",
    metadata,
    Column("article", String(SLUG_LENGTH), primary_key=True),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", UTCDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
)

# Where each imported story came from (source and its id there). No foreign key on purpose: the
# row outlives a deleted story, so importing the same file again never brings it back.
import_origins = Table(
    "import_origins",
    metadata,
    Column("source", String(SOURCE_LENGTH), primary_key=True),
    Column("ref", String(SLUG_LENGTH), primary_key=True),
    Column("story_id", Integer, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)
Index("ix_import_origins_story_id", import_origins.c.story_id)

# Imported comments whose address is no article of the site (yet): never published, never
# purged, until an import with a map places them or the owner drops them.
held_comments = Table(
    "held_comments",
    metadata,
    Column("source", String(SOURCE_LENGTH), primary_key=True),
    Column("ref", String(SLUG_LENGTH), primary_key=True),
    Column("source_url", Text, nullable=False),
    Column("reason", String(ENUM_LENGTH), nullable=False),
    Column("parent_ref", String(SLUG_LENGTH), nullable=True),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("email", String(EMAIL_LENGTH), nullable=True),
    Column("body_markdown", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(ENUM_LENGTH), nullable=False),
    Column("author_reply", Boolean, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("held_at", UTCDateTime, nullable=False),
    status_check("ck_held_comments_status"),
)
Index("ix_held_comments_email", held_comments.c.email)

MODERATOR_NAME_LENGTH = 80
ROLES = ("owner", "moderator")

# Named moderator accounts. ``name_key`` (the name case-folded) keeps "Mia" and "mia" from being
# two accounts; a session carries a fingerprint of ``password_hash``, so a new password or a
# removed account ends that account's sessions.
moderators = Table(
    "moderators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(MODERATOR_NAME_LENGTH), nullable=False),
    Column("name_key", String(MODERATOR_NAME_LENGTH), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(ENUM_LENGTH), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("password_changed", UTCDateTime, nullable=False),
    Column("last_login", UTCDateTime, nullable=True),
    CheckConstraint(column("role").in_(ROLES), name="ck_moderators_role"),
    sqlite_autoincrement=True,
)

# Every story held apart on arrival: its kind, spam score and reasons (no reader text), for
# the count of the last day and to put a released story back in its bin. No foreign key: the
# count outlives a story dropped from a full bin; comments.purge prunes old rows.
hold_log = Table(
    "hold_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", Integer, nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column("score", Integer, nullable=True),
    Column("signals", String(200), nullable=False, server_default=""),
    Column("reasons", Text, nullable=False, server_default=""),
    sqlite_autoincrement=True,
)
Index("ix_hold_log_at", hold_log.c.at)
Index("ix_hold_log_story_id", hold_log.c.story_id)

# The shape of each recent story's text (moderation/spam/shape.py), to spot the same or
# nearly the same text sent to several articles; rows older than a day are pruned.
text_shapes = Table(
    "text_shapes",
    metadata,
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE", name="fk_text_shapes_story"),
        primary_key=True,
    ),
    Column("shape", String(64), nullable=False),
    Column("article", String(SLUG_LENGTH), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_text_shapes_shape_at", text_shapes.c.shape, text_shapes.c.at)

# Proofs of work already sent with a story (by their challenge's signature), until they expire:
# a proof counts for one story.
spent_proofs = Table(
    "spent_proofs",
    metadata,
    Column("proof_id", String(128), primary_key=True),
    Column("until", UTCDateTime, nullable=False),
)
Index("ix_spent_proofs_until", spent_proofs.c.until)
# Writers whose new stories are held for review: by a keyed hash of their email address (the
# address itself is not kept: moderation/blocks.py) or by the network hash stories keep. Active
# while not lifted and not past ``until`` (null: for good); lifted and expired ones stay listed.
blocks = Table(
    "blocks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column("value_hash", String(HASH_LENGTH), nullable=False),
    Column("until", UTCDateTime, nullable=True),
    Column("note", Text, nullable=False),
    Column("blocked_by", String(NAME_LENGTH), nullable=False),
    Column("blocked_at", UTCDateTime, nullable=False),
    # The story it was blocked from, if any (no foreign key: the block outlives the story).
    Column("story_id", Integer, nullable=True),
    Column("lifted_by", String(NAME_LENGTH), nullable=True),
    Column("lifted_at", UTCDateTime, nullable=True),
    CheckConstraint("kind IN ('email', 'network')", name="ck_blocks_kind"),
    sqlite_autoincrement=True,
)
Index("ix_blocks_kind_value", blocks.c.kind, blocks.c.value_hash)

# Words, phrases and link domains that hold a new story for review (moderation/listed.py).
listed_terms = Table(
    "listed_terms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(ENUM_LENGTH), nullable=False),
    Column("value", String(SLUG_LENGTH), nullable=False),
    Column("added_by", String(NAME_LENGTH), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('word', 'domain')", name="ck_listed_terms_kind"),
    UniqueConstraint("kind", "value", name="uq_listed_terms_kind_value"),
    sqlite_autoincrement=True,
)

# Articles that take no new stories; the stories already there stay.
closed_articles = Table(
    "closed_articles",
    metadata,
    Column("article", String(SLUG_LENGTH), primary_key=True),
    Column("closed_by", String(NAME_LENGTH), nullable=False),
    Column("closed_at", UTCDateTime, nullable=False),
)

migrations = Table(
    "migrations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(SLUG_LENGTH), nullable=False, unique=True),
    Column("applied_at", UTCDateTime, nullable=False),
)
