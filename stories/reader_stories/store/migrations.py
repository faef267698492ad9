"""Named, ordered schema migrations, recorded in ``migrations`` and applied on every start.

Each migration owns a frozen copy of the tables it creates, so a fresh database replays
history exactly as it happened. Applying runs in one write transaction that takes the
database's write lock first (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL),
so two processes starting at once apply each migration exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Engine,
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
    func,
    insert,
    select,
)
from sqlalchemy.schema import AddConstraint, CreateColumn

from reader_stories.store import schema
from reader_stories.store.schema import UTCDateTime, status_check

Migration = tuple[str, Callable[[Connection], None]]

# Connection option read by the store's "begin" hook: take the write lock up front.
WRITE_OPTION = "nextround_stories_write"
# Any fixed 64-bit number; it only has to differ from other advisory locks on the server.
POSTGRES_LOCK_KEY = 7_264_110_517


def _create_stories(conn: Connection) -> None:
    md = MetaData()
    stories = Table(
        "stories",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("article", String(200), nullable=False),
        Column(
            "parent_id",
            Integer,
            ForeignKey("stories.id", ondelete="CASCADE", name="fk_stories_parent"),
            nullable=True,
        ),
        Column("name", String(200), nullable=False),
        Column("email", String(254), nullable=True),
        Column("notify", Boolean, nullable=False),
        Column("body_markdown", Text, nullable=False),
        Column("body_html", Text, nullable=False),
        Column("body_hash", String(64), nullable=False),
        Column("status", String(16), nullable=False),
        Column("reject_reason", Text, nullable=True),
        Column("edited", Boolean, nullable=False),
        Column("author_reply", Boolean, nullable=False),
        Column("ip_hash", String(64), nullable=True),
        Column("created", UTCDateTime, nullable=False),
        Column("updated", UTCDateTime, nullable=False),
        Column("approved_at", UTCDateTime, nullable=True),
        status_check("ck_stories_status"),
        # AUTOINCREMENT: ids are never reused, so a deleted story's history stays its own.
        sqlite_autoincrement=True,
    )
    Index("ix_stories_article_status", stories.c.article, stories.c.status)
    Index("ix_stories_status_created", stories.c.status, stories.c.created)
    Index("ix_stories_article_body_hash", stories.c.article, stories.c.body_hash)
    Index("ix_stories_parent_id", stories.c.parent_id)
    md.create_all(conn)


# The actions the history knew when 0002 made it (0008 adds "returned").
_ACTIONS_0002 = ["submitted", "approved", "rejected", "spam", "edited", "replied", "deleted"]


def _create_moderation_events(conn: Connection) -> None:
    md = MetaData()
    events = Table(
        "moderation_events",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("story_id", Integer, nullable=False),
        Column("action", String(16), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("at", UTCDateTime, nullable=False),
        Column("note", Text, nullable=True),
        CheckConstraint(column("action").in_(_ACTIONS_0002), name="ck_moderation_events_action"),
    )
    Index("ix_moderation_events_story_id", events.c.story_id)
    md.create_all(conn)


def _create_rate_events(conn: Connection) -> None:
    md = MetaData()
    events = Table(
        "rate_events",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("network_hash", String(64), nullable=False),
        Column("at", UTCDateTime, nullable=False),
    )
    Index("ix_rate_events_network_at", events.c.network_hash, events.c.at)
    md.create_all(conn)


def _create_outbox(conn: Connection) -> None:
    md = MetaData()
    # Only so the foreign key resolves; the stories table exists since 0001 and is not created.
    Table("stories", md, Column("id", Integer, primary_key=True))
    outbox = Table(
        "outbox",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", String(16), nullable=False),
        Column(
            "story_id",
            Integer,
            ForeignKey("stories.id", ondelete="CASCADE", name="fk_outbox_story"),
            nullable=True,
        ),
        Column("recipient", String(254), nullable=True),
        Column("subject", Text, nullable=False),
        Column("body", Text, nullable=True),
        Column("unsubscribe_url", Text, nullable=True),
        Column("created", UTCDateTime, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt", UTCDateTime, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("sent_at", UTCDateTime, nullable=True),
        Column("failed_at", UTCDateTime, nullable=True),
        Column("claim", String(32), nullable=True),
        CheckConstraint(
            column("kind").in_(["moderator", "published", "reply"]), name="ck_outbox_kind"
        ),
        sqlite_autoincrement=True,
    )
    Index("ix_outbox_next_attempt", outbox.c.next_attempt)
    Index("ix_outbox_story_id", outbox.c.story_id)
    outbox.create(conn)


def _create_page_pushes(conn: Connection) -> None:
    md = MetaData()
    Table(
        "page_pushes",
        md,
        Column("article", String(200), primary_key=True),
        Column("queued_at", UTCDateTime, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt", UTCDateTime, nullable=False),
        Column("last_error", Text, nullable=True),
    ).create(conn)


_OUTBOX_COLUMNS = (
    "id, kind, story_id, recipient, subject, body, unsubscribe_url, created, attempts, "
    "next_attempt, last_error, sent_at, failed_at, claim"
)


def _outbox_with_kinds(
    md: MetaData, name: str, kinds: list[str], with_follows: bool = False
) -> Table:
    """The outbox as 0004 made it (with 0010's follow_id when ``with_follows``), under
    ``name``, its kind check taking ``kinds``."""
    Table("stories", md, Column("id", Integer, primary_key=True))
    follows = [Column("follow_id", Integer, nullable=True)] if with_follows else []
    return Table(
        name,
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", String(16), nullable=False),
        Column(
            "story_id",
            Integer,
            ForeignKey("stories.id", ondelete="CASCADE", name="fk_outbox_story"),
            nullable=True,
        ),
        Column("recipient", String(254), nullable=True),
        Column("subject", Text, nullable=False),
        Column("body", Text, nullable=True),
        Column("unsubscribe_url", Text, nullable=True),
        Column("created", UTCDateTime, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt", UTCDateTime, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("sent_at", UTCDateTime, nullable=True),
        Column("failed_at", UTCDateTime, nullable=True),
        Column("claim", String(32), nullable=True),
        *follows,
        CheckConstraint(column("kind").in_(kinds), name="ck_outbox_kind"),
        sqlite_autoincrement=True,
    )


def _allow_outbox_kinds(conn: Connection, kinds: list[str], with_follows: bool = False) -> None:
    """Replace the outbox's kind check. PostgreSQL swaps the constraint; SQLite cannot change
    a check, so the table is rebuilt (create, copy, drop, rename), its ids' high-water mark
    and indexes included. ``with_follows``: the outbox has 0010's follow_id (every caller
    after 0010), carried over with its index."""
    if conn.dialect.name == "postgresql":
        table = _outbox_with_kinds(MetaData(), "outbox", kinds)
        check = next(c for c in table.constraints if c.name == "ck_outbox_kind")
        conn.exec_driver_sql("ALTER TABLE outbox DROP CONSTRAINT ck_outbox_kind")
        conn.execute(AddConstraint(check))
        return
    seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").scalar()
    rebuilt = _outbox_with_kinds(MetaData(), "outbox_rebuilt", kinds, with_follows)
    rebuilt.create(conn)
    columns = _OUTBOX_COLUMNS + (", follow_id" if with_follows else "")
    conn.exec_driver_sql(f"INSERT INTO outbox_rebuilt ({columns}) SELECT {columns} FROM outbox")
    conn.exec_driver_sql("DROP TABLE outbox")
    conn.exec_driver_sql("ALTER TABLE outbox_rebuilt RENAME TO outbox")
    if seq is not None:
        conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'", (seq,))
    conn.exec_driver_sql("CREATE INDEX ix_outbox_next_attempt ON outbox (next_attempt)")
    conn.exec_driver_sql("CREATE INDEX ix_outbox_story_id ON outbox (story_id)")
    if with_follows:
        conn.exec_driver_sql("CREATE INDEX ix_outbox_follow_id ON outbox (follow_id)")


def _confirm_email_addresses(conn: Connection) -> None:
    """Reader email waits until its address is confirmed: whether it is and when it was asked,
    on each story, and a "confirm" kind of email in the outbox."""
    added = Table(
        "stories",
        MetaData(),
        Column("email_confirmed", Boolean, nullable=False, server_default=false()),
        Column("confirm_requested_at", UTCDateTime, nullable=True),
    )
    for new in added.columns:
        ddl = CreateColumn(new).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE stories ADD COLUMN {ddl}")
    _allow_outbox_kinds(conn, ["moderator", "published", "reply", "confirm"])


def _remember_imported_comments(conn: Connection) -> None:
    """Where each imported story came from, kept after the story is deleted so a later import
    never brings it back; and the comments an import could not place on an article yet."""
    md = MetaData()
    Table(
        "import_origins",
        md,
        Column("source", String(32), primary_key=True),
        Column("ref", String(200), primary_key=True),
        Column("story_id", Integer, nullable=False),
        Column("imported_at", UTCDateTime, nullable=False),
    )
    Index("ix_import_origins_story_id", md.tables["import_origins"].c.story_id)
    held = Table(
        "held_comments",
        md,
        Column("source", String(32), primary_key=True),
        Column("ref", String(200), primary_key=True),
        Column("source_url", Text, nullable=False),
        Column("reason", String(16), nullable=False),
        Column("parent_ref", String(200), nullable=True),
        Column("name", String(200), nullable=False),
        Column("email", String(254), nullable=True),
        Column("body_markdown", Text, nullable=False),
        Column("body_html", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("author_reply", Boolean, nullable=False),
        Column("created", UTCDateTime, nullable=False),
        Column("updated", UTCDateTime, nullable=False),
        Column("held_at", UTCDateTime, nullable=False),
        status_check("ck_held_comments_status"),
    )
    Index("ix_held_comments_email", held.c.email)
    md.create_all(conn)


_EVENT_COLUMNS = "id, story_id, action, actor, at, note"
# Every action the history knows once 0008 is applied ("returned": a decision undone).
_ACTIONS_0008 = [*_ACTIONS_0002, "returned"]


def _events_with_actions(md: MetaData, name: str, actions: list[str]) -> Table:
    """The history as 0002 made it, under ``name``, its action check taking ``actions``."""
    return Table(
        name,
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("story_id", Integer, nullable=False),
        Column("action", String(16), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("at", UTCDateTime, nullable=False),
        Column("note", Text, nullable=True),
        CheckConstraint(column("action").in_(actions), name="ck_moderation_events_action"),
    )


def _record_returns_to_pending(conn: Connection) -> None:
    """Moderators can undo a decision, sending a story back to pending: the history records it
    as "returned". PostgreSQL swaps the action check; SQLite rebuilds the table (ids kept)."""
    if conn.dialect.name == "postgresql":
        table = _events_with_actions(MetaData(), "moderation_events", _ACTIONS_0008)
        check = next(c for c in table.constraints if c.name == "ck_moderation_events_action")
        conn.exec_driver_sql(
            "ALTER TABLE moderation_events DROP CONSTRAINT ck_moderation_events_action"
        )
        conn.execute(AddConstraint(check))
        return
    _events_with_actions(MetaData(), "moderation_events_rebuilt", _ACTIONS_0008).create(conn)
    conn.exec_driver_sql(
        f"INSERT INTO moderation_events_rebuilt ({_EVENT_COLUMNS}) "
        f"SELECT {_EVENT_COLUMNS} FROM moderation_events"
    )
    conn.exec_driver_sql("DROP TABLE moderation_events")
    conn.exec_driver_sql("ALTER TABLE moderation_events_rebuilt RENAME TO moderation_events")
    conn.exec_driver_sql(
        "CREATE INDEX ix_moderation_events_story_id ON moderation_events (story_id)"
    )


def _count_helpful_marks(conn: Connection) -> None:
    """ "This helped me": a count on each story, and one mark per story and reader network."""
    added = Column("helpful", Integer, nullable=False, server_default="0")
    Table("stories", MetaData(), added)
    ddl = CreateColumn(added).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE stories ADD COLUMN {ddl}")
    md = MetaData()
    Table("stories", md, Column("id", Integer, primary_key=True))
    Table(
        "helpful_marks",
        md,
        Column(
            "story_id",
            Integer,
            ForeignKey("stories.id", ondelete="CASCADE", name="fk_helpful_marks_story"),
            primary_key=True,
        ),
        Column("network_hash", String(64), primary_key=True),
        Column("at", UTCDateTime, nullable=False),
    )
    md.tables["helpful_marks"].create(conn)


def _follow_articles(conn: Connection) -> None:
    """Readers can follow an article: a table of follows, and two kinds of email for them."""
    md = MetaData()
    follows = Table(
        "follows",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("article", String(200), nullable=False),
        Column("email", String(254), nullable=False),
        Column("confirmed", Boolean, nullable=False, server_default=false()),
        Column("created", UTCDateTime, nullable=False),
        Column("confirm_requested_at", UTCDateTime, nullable=True),
        sqlite_autoincrement=True,
    )
    Index("ix_follows_article", follows.c.article)
    Index("ix_follows_email", follows.c.email)
    follows.create(conn)
    kinds = ["moderator", "published", "reply", "confirm", "follow_confirm", "follow_story"]
    _allow_outbox_kinds(conn, kinds)
    added = Column("follow_id", Integer, nullable=True)
    Table("outbox", MetaData(), added)
    ddl = CreateColumn(added).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE outbox ADD COLUMN {ddl}")
    conn.exec_driver_sql("CREATE INDEX ix_outbox_follow_id ON outbox (follow_id)")


def _hold_stories_apart(conn: Connection) -> None:
    """A waiting story can be set apart from the queue (suspected spam, a blocked writer, a
    listed word): two nullable columns on stories, the hold's kind and its reasons."""
    for added in (Column("held", String(16), nullable=True), Column("held_reasons", Text)):
        Table("stories", MetaData(), added)
        ddl = CreateColumn(added).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE stories ADD COLUMN {ddl}")


def _moderators(conn: Connection) -> None:
    """Named moderator accounts: each signs the history with its name and has its own password."""
    md = MetaData()
    Table(
        "moderators",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(80), nullable=False),
        Column("name_key", String(80), nullable=False, unique=True),
        Column("password_hash", String(255), nullable=False),
        Column("role", String(16), nullable=False),
        Column("created", UTCDateTime, nullable=False),
        Column("password_changed", UTCDateTime, nullable=False),
        Column("last_login", UTCDateTime, nullable=True),
        CheckConstraint(column("role").in_(["owner", "moderator"]), name="ck_moderators_role"),
        sqlite_autoincrement=True,
    ).create(conn)


def _revisions_and_digests(conn: Connection) -> None:
    """A writer may change a published story for a while: the change waits in its own table
    for a moderator, and the page keeps the approved words until one approves it. A follower
    of an article may ask for one daily digest instead of an email per story: whether they did,
    and since when the next digest counts the stories. The writer who asked for email hears of
    the moderator's decision on their change: a "change" kind of email."""
    for added in (
        Column("digest", Boolean, nullable=False, server_default=false()),
        Column("digest_since", UTCDateTime, nullable=True),
    ):
        Table("follows", MetaData(), added)
        ddl = CreateColumn(added).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE follows ADD COLUMN {ddl}")
    kinds = ["moderator", "published", "reply", "confirm", "follow_confirm", "follow_story"]
    _allow_outbox_kinds(conn, [*kinds, "change"], with_follows=True)
    md = MetaData()
    Table("stories", md, Column("id", Integer, primary_key=True))
    Table(
        "story_revisions",
        md,
        Column(
            "story_id",
            Integer,
            ForeignKey("stories.id", ondelete="CASCADE", name="fk_story_revisions_story"),
            primary_key=True,
        ),
        Column("name", String(200), nullable=False),
        Column("body_markdown", Text, nullable=False),
        Column("body_html", Text, nullable=False),
        Column("created", UTCDateTime, nullable=False),
    )
    md.tables["story_revisions"].create(conn)


def _spam_scores(conn: Connection) -> None:
    """The spam score's memory: a log of every story held on arrival (its kind, score and
    reasons, for the day's count and to undo a release), and each recent story's text shape,
    to spot the same text sent to several articles."""
    md = MetaData()
    Table("stories", md, Column("id", Integer, primary_key=True))
    hold_log = Table(
        "hold_log",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("story_id", Integer, nullable=True),
        Column("at", UTCDateTime, nullable=False),
        Column("kind", String(16), nullable=False),
        Column("score", Integer, nullable=True),
        Column("signals", String(200), nullable=False, server_default=""),
        Column("reasons", Text, nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    Index("ix_hold_log_at", hold_log.c.at)
    Index("ix_hold_log_story_id", hold_log.c.story_id)
    text_shapes = Table(
        "text_shapes",
        md,
        Column(
            "story_id",
            Integer,
            ForeignKey("stories.id", ondelete="CASCADE", name="fk_text_shapes_story"),
            primary_key=True,
        ),
        Column("shape", String(64), nullable=False),
        Column("article", String(200), nullable=False),
        Column("at", UTCDateTime, nullable=False),
    )
    Index("ix_text_shapes_shape_at", text_shapes.c.shape, text_shapes.c.at)
    hold_log.create(conn)
    text_shapes.create(conn)


def _blocks_and_closed_articles(conn: Connection) -> None:
    """Moderators' safety tools: blocked writers (by a keyed hash of their email or their
    network hash), a list of words and link domains that hold stories for review, and the
    articles whose stories are closed."""
    md = MetaData()
    blocks = Table(
        "blocks",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", String(16), nullable=False),
        Column("value_hash", String(64), nullable=False),
        Column("until", UTCDateTime, nullable=True),
        Column("note", Text, nullable=False),
        Column("blocked_by", String(200), nullable=False),
        Column("blocked_at", UTCDateTime, nullable=False),
        Column("story_id", Integer, nullable=True),
        Column("lifted_by", String(200), nullable=True),
        Column("lifted_at", UTCDateTime, nullable=True),
        CheckConstraint("kind IN ('email', 'network')", name="ck_blocks_kind"),
        sqlite_autoincrement=True,
    )
    Index("ix_blocks_kind_value", blocks.c.kind, blocks.c.value_hash)
    listed = Table(
        "listed_terms",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", String(16), nullable=False),
        Column("value", String(200), nullable=False),
        Column("added_by", String(200), nullable=False),
        Column("added_at", UTCDateTime, nullable=False),
        CheckConstraint("kind IN ('word', 'domain')", name="ck_listed_terms_kind"),
        UniqueConstraint("kind", "value", name="uq_listed_terms_kind_value"),
        sqlite_autoincrement=True,
    )
    closed = Table(
        "closed_articles",
        md,
        Column("article", String(200), primary_key=True),
        Column("closed_by", String(200), nullable=False),
        Column("closed_at", UTCDateTime, nullable=False),
    )
    for table in (blocks, listed, closed):
        table.create(conn)


def _index_stories_by_hold(conn: Connection) -> None:
    """Every story asks whether the queue is full, and every held one whether the bin is: both
    count waiting stories by their hold, which an index on (status, held) answers by itself,
    without reading each story's row."""
    stories = Table("stories", MetaData(), Column("status", String(16)), Column("held", String(16)))
    Index("ix_stories_status_held", stories.c.status, stories.c.held).create(conn)


def _spend_proofs_once(conn: Connection) -> None:
    """A proof of work counts for one story: the proofs already sent, until they expire."""
    md = MetaData()
    spent = Table(
        "spent_proofs",
        md,
        Column("proof_id", String(128), primary_key=True),
        Column("until", UTCDateTime, nullable=False),
    )
    Index("ix_spent_proofs_until", spent.c.until)
    spent.create(conn)


def _keep_spam_scores(conn: Connection) -> None:
    """Every scored story keeps its spam score and its reasons, held or not, so a moderator
    sees how near a waiting story came to being held and can read the queue by it: two
    nullable columns on stories (null: never scored, as every story from before)."""
    for added in (Column("spam_score", Integer, nullable=True), Column("spam_reasons", Text)):
        Table("stories", MetaData(), added)
        ddl = CreateColumn(added).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE stories ADD COLUMN {ddl}")


MIGRATIONS: list[Migration] = [
    ("0001_create_stories", _create_stories),
    ("0002_create_moderation_events", _create_moderation_events),
    ("0003_create_rate_events", _create_rate_events),
    ("0004_create_outbox", _create_outbox),
    ("0005_create_page_pushes", _create_page_pushes),
    ("0006_confirm_email_addresses", _confirm_email_addresses),
    ("0007_remember_imported_comments", _remember_imported_comments),
    ("0008_record_returns_to_pending", _record_returns_to_pending),
    ("0009_count_helpful_marks", _count_helpful_marks),
    ("0010_follow_articles", _follow_articles),
    ("0011_hold_stories_apart", _hold_stories_apart),
    ("0012_revisions_and_digests", _revisions_and_digests),
    ("0013_moderators", _moderators),
    ("0014_blocks_and_closed_articles", _blocks_and_closed_articles),
    ("0015_spam_scores", _spam_scores),
    ("0016_index_stories_by_hold", _index_stories_by_hold),
    ("0017_spend_proofs_once", _spend_proofs_once),
    ("0018_keep_spam_scores", _keep_spam_scores),
]


def _take_lock(conn: Connection) -> None:
    """Serialise concurrent starts; SQLite already holds its lock from BEGIN IMMEDIATE."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(POSTGRES_LOCK_KEY)))


def apply_migrations(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply, in order, every migration not yet recorded; return the names applied now."""
    names = [name for name, _ in migrations]
    if len(set(names)) != len(names):
        raise ValueError(f"migration names must be unique: {names}")
    applied: list[str] = []
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            _take_lock(conn)
            schema.migrations.create(conn, checkfirst=True)
            done = set(conn.scalars(select(schema.migrations.c.name)))
            for name, migrate in migrations:
                if name in done:
                    continue
                migrate(conn)
                conn.execute(
                    insert(schema.migrations).values(name=name, applied_at=datetime.now(UTC))
                )
                applied.append(name)
    return applied


def applied_migrations(engine: Engine) -> list[str]:
    """Names recorded in the database, in the order they were applied."""
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, schema.migrations.name):
            return []
        query = select(schema.migrations.c.name).order_by(schema.migrations.c.id)
        return list(conn.scalars(query))
