"""Our own archive format: every story and the whole moderation history as JSON Lines.

Bulk moves in and out of the tables of store/schema.py, through SQLAlchemy Core with bound
parameters, inside ``Store`` transactions; everywhere else stories are read and written one at
a time through ``Tx``.

The file is canonical so that export -> import -> export is byte-identical:

- line 1: ``{"format": "nextround-stories", "version": 1}``
- one ``{"kind": "story", ...}`` per story, by id; then one ``{"kind": "event", ...}`` per
  moderation event, by id; then one ``{"kind": "revision", ...}`` per writer's change to a
  published story waiting for a moderator, by story id; the last line
  ``{"events": M, "kind": "end", "stories": N}`` (with ``"revisions": R`` when there are any)
  tells a complete file from one cut short at a line break;
- keys sorted, UTF-8 as is (``ensure_ascii=False``), times in ISO 8601 UTC with ``+00:00``.

An import restores ids exactly, in one transaction: a bad line anywhere leaves the store as
it was, and the error names the line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Table, func, insert, select, text

from reader_stories.errors import StoriesError
from reader_stories.models import Action, HoldKind, Status
from reader_stories.pages.atomic import write_atomically
from reader_stories.private_files import PRIVATE
from reader_stories.store import Store, schema
from reader_stories.story_html import sanitise
from reader_stories.text import first_problem
from reader_stories.validation import REPLY_TO_MAX, SLUG_RE

FORMAT = "nextround-stories"
VERSION = 1
HEADER: dict[str, object] = {"format": FORMAT, "version": VERSION}
STORY, EVENT, REVISION, END = "story", "event", "revision", "end"
# Rows sent to the database per statement: few round trips, bounded memory.
BATCH = 500
# The most a spam score may say either way: far beyond any story's, within every integer column.
POINTS_MAX = 1_000_000

_stories = schema.stories
_events = schema.moderation_events
_revisions = schema.story_revisions
_HEX64_RE = re.compile(r"[0-9a-f]{64}")


class ArchiveError(StoriesError):
    """A file to import is unusable; the message names the file, the line and the fix."""


class _Invalid(Exception):
    """A field value that does not fit; carries what was expected, in words."""

    def __init__(self, expects: str) -> None:
        self.expects = expects
        super().__init__(expects)


# Field checks: each returns the value to store, or raises _Invalid saying what it expects.

Check = Callable[[Any], Any]


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= REPLY_TO_MAX:
        raise _Invalid(f"a whole number from 1 to {REPLY_TO_MAX}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("true or false")
    return value


def _text(limit: int | None = None) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise _Invalid("a string" if limit is None else f"a string of up to {limit} characters")
        if limit is not None and len(value) > limit:
            raise _Invalid(f"a string of up to {limit} characters")
        return value

    return check


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
        raise _Invalid("an article slug (letters, digits, - and _)")
    return value


def _hex64(value: Any) -> str:
    if not isinstance(value, str) or not _HEX64_RE.fullmatch(value):
        raise _Invalid("64 lowercase hexadecimal digits")
    return value


def _choice(values: Iterable[str]) -> Check:
    allowed = list(values)

    def check(value: Any) -> str:
        if value not in allowed:
            raise _Invalid("one of " + ", ".join(allowed))
        return str(value)

    return check


def _time(value: Any) -> datetime:
    expects = "an ISO 8601 time with its UTC offset, like 2025-03-01T09:00:00+00:00"
    if not isinstance(value, str):
        raise _Invalid(expects)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(expects) from None
    if parsed.tzinfo is None:
        raise _Invalid(expects)
    return parsed.astimezone(UTC)


def _points(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > POINTS_MAX:
        raise _Invalid(f"a whole number from -{POINTS_MAX} to {POINTS_MAX}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid("a whole number, 0 or more")
    return value


def _optional(check: Check) -> Check:
    def optional(value: Any) -> Any:
        if value is None:
            return None
        try:
            return check(value)
        except _Invalid as wrong:
            raise _Invalid(f"{wrong.expects}, or null") from None

    return optional


STORY_FIELDS: dict[str, Check] = {
    "id": _id,
    "article": _slug,
    "parent_id": _optional(_id),
    "name": _text(schema.NAME_LENGTH),
    "email": _optional(_text(schema.EMAIL_LENGTH)),
    "notify": _flag,
    "email_confirmed": _flag,
    "confirm_requested_at": _optional(_time),
    "body_markdown": _text(),
    "body_html": _text(),
    "body_hash": _hex64,
    "status": _choice(s.value for s in Status),
    "reject_reason": _optional(_text()),
    "edited": _flag,
    "author_reply": _flag,
    "ip_hash": _optional(_hex64),
    "created": _time,
    "updated": _time,
    "approved_at": _optional(_time),
    # The count of "This helped me"; the marks behind it (keyed network hashes) stay behind,
    # like the rate limit's, so after a restore a reader's network could count once more.
    "helpful": _count,
    # A waiting story held apart from the queue (models.Hold): its kind and reasons.
    "held": _optional(_choice(k.value for k in HoldKind)),
    "held_reasons": _optional(_text()),
    # The spam score it arrived with (models.SpamScore), held or not: null, never scored.
    "spam_score": _optional(_points),
    "spam_reasons": _optional(_text()),
}
# Story fields added after the format was first written, and what a file from before means.
STORY_FIELDS_SINCE: dict[str, Any] = {
    "email_confirmed": False,
    "confirm_requested_at": None,
    "helpful": 0,
    "held": None,
    "held_reasons": None,
    "spam_score": None,
    "spam_reasons": None,
}
EVENT_FIELDS: dict[str, Check] = {
    "id": _id,
    "story_id": _id,
    "action": _choice(a.value for a in Action),
    "actor": _text(schema.NAME_LENGTH),
    "at": _time,
    "note": _optional(_text()),
}
REVISION_FIELDS: dict[str, Check] = {
    "story_id": _id,
    "name": _text(schema.NAME_LENGTH),
    "body_markdown": _text(),
    "body_html": _text(),
    "created": _time,
}
END_FIELDS: dict[str, Check] = {"stories": _count, "events": _count, "revisions": _count}
# Written only when there are waiting changes, so a file without any reads as before.
END_FIELDS_SINCE: dict[str, Any] = {"revisions": 0}


# Summaries


@dataclass
class Tally:
    """Stories per article and status, and events: what the tasks print, one line an article."""

    articles: dict[str, Counter[str]] = field(default_factory=dict)
    events: int = 0
    revisions: int = 0  # writers' changes to published stories, waiting for a moderator
    follows_left_out: int = 0  # follows of articles are never exported (see export_summary)

    def add_story(self, article: str, status: str) -> None:
        self.articles.setdefault(article, Counter())[status] += 1

    @property
    def stories(self) -> int:
        return sum(sum(counts.values()) for counts in self.articles.values())

    def article_lines(self) -> list[str]:
        lines = []
        for article in sorted(self.articles):
            counts = self.articles[article]
            total = sum(counts.values())
            parts = ", ".join(f"{counts[s.value]} {s.value}" for s in Status if counts[s.value])
            lines.append(f"{article}: {_plural(total, 'story', 'stories')} ({parts})")
        return lines


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _amounts(tally: Tally) -> str:
    stories = _plural(tally.stories, "story", "stories")
    events = _plural(tally.events, "moderation event", "moderation events")
    if not tally.revisions:
        return f"{stories} and {events}"
    changes = _plural(tally.revisions, "writer's change", "writers' changes")
    return f"{stories}, {events} and {changes} waiting for a moderator"


# Export


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def _record(kind: str, names: Iterable[str], row: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": kind, **{name: _dump(row[name]) for name in names}}


def export_lines(store: Store, tally: Tally | None = None) -> list[str]:
    """The whole archive, line by line, read in one consistent snapshot."""
    tally = tally if tally is not None else Tally()
    lines = [_line(HEADER)]
    with store.reading() as tx:
        for row in tx.conn.execute(select(_stories).order_by(_stories.c.id)).mappings():
            tally.add_story(row["article"], row["status"])
            lines.append(_line(_record(STORY, STORY_FIELDS, row)))
        for row in tx.conn.execute(select(_events).order_by(_events.c.id)).mappings():
            tally.events += 1
            lines.append(_line(_record(EVENT, EVENT_FIELDS, row)))
        query = select(_revisions).order_by(_revisions.c.story_id)
        for row in tx.conn.execute(query).mappings():
            tally.revisions += 1
            lines.append(_line(_record(REVISION, REVISION_FIELDS, row)))
        tally.follows_left_out = tx.count_follows()
    end: dict[str, object] = {"kind": END, "stories": tally.stories, "events": tally.events}
    if tally.revisions:
        end["revisions"] = tally.revisions
    lines.append(_line(end))
    return lines


def export_to_stream(store: Store, stream: BinaryIO) -> Tally:
    """Write the archive to a byte stream (standard output); returns what was written."""
    tally = Tally()
    for line in export_lines(store, tally):
        stream.write(line.encode("utf-8"))
    stream.flush()
    return tally


def check_export_path(path: Path) -> None:
    """An export goes into a folder that exists: a typo in a path must not scatter copies of
    readers' addresses into folders nobody meant to make."""
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder; give the name of a file to write inside it.")
    if not path.parent.is_dir():
        raise ArchiveError(
            f"The folder {path.parent} does not exist; nothing was exported. Create it first "
            "(export never creates folders), or give a path in a folder that exists."
        )


def export_to_file(store: Store, path: Path) -> Tally:
    """Write the archive to ``path`` in one step: an interrupted export leaves no half file.

    The file is owner-only (0600) from its first byte: it holds readers' email addresses."""
    check_export_path(Path(path))
    tally = Tally()
    write_atomically(Path(path), "".join(export_lines(store, tally)), mode=PRIVATE)
    return tally


def export_summary(tally: Tally, where: str) -> list[str]:
    """What went into the file; and, when there are any, the follows that did not.

    Follows stay out on purpose: an address is kept only while its follow lives, and a copy of
    it in a file would outlive an unsubscribe. A restored store starts with no follows.
    """
    lines = [
        *tally.article_lines(),
        f"Exported {_amounts(tally)} to {where}.",
        "It holds readers' email addresses and IP hashes: keep it as private as the database.",
    ]
    if tally.follows_left_out:
        follows = _plural(tally.follows_left_out, "follow", "follows")
        lines.append(
            f"Not exported: {follows} of articles (exports never carry follows or their "
            "addresses; after a restore, readers follow again from the article)."
        )
    return lines


# Import


def _parse_object(raw: bytes, where: str) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"{where}: not UTF-8 text; the file is damaged.") from None

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for key, value in pairs:
            if key in record:
                raise ArchiveError(f'{where}: the field "{key}" appears twice.')
            record[key] = value
        return record

    try:
        record = json.loads(line, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as bad:
        raise ArchiveError(
            f"{where}: not valid JSON ({bad.msg} at column {bad.colno}); "
            "the file may be cut short or edited by hand."
        ) from None
    if not isinstance(record, dict):
        raise ArchiveError(
            f"{where}: expected a JSON object {{...}}, found {type(record).__name__}."
        )
    return record


def _fields(
    record: dict[str, Any], spec: Mapping[str, Check], kind: str, where: str
) -> dict[str, Any]:
    """The record's values checked and converted; every missing or unknown field is named."""
    given = set(record) - {"kind"}
    missing = [name for name in spec if name not in given]
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        hint = "" if kind == END else " (use null for none)"
        raise ArchiveError(f"{where}: the {kind} record has no {names}{hint}.")
    unknown = sorted(given - set(spec))
    if unknown:
        names = ", ".join(f'"{name}"' for name in unknown)
        raise ArchiveError(f"{where}: the {kind} record has unknown fields {names}.")
    values = {}
    for name, check in spec.items():
        try:
            values[name] = check(record[name])
        except _Invalid as wrong:
            shown = json.dumps(record[name], ensure_ascii=False)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ArchiveError(
                f'{where}: {kind} field "{name}" must be {wrong.expects}; it is {shown}.'
            ) from None
    return values


@dataclass
class _Loader:
    """Checks records as they come and writes them in batches inside one transaction."""

    conn: Connection
    source: str
    tally: Tally = field(default_factory=Tally)
    stories: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    events: set[int] = field(default_factory=set)
    revised: set[int] = field(default_factory=set)
    pending: list[dict[str, Any]] = field(default_factory=list)
    table: Table | None = None
    ended: bool = False

    def where(self, number: int) -> str:
        return f"{self.source}, line {number}"

    def header(self, record: dict[str, Any] | None, number: int) -> None:
        if record is None or record.get("format") != FORMAT:
            raise ArchiveError(
                f"{self.where(number)}: not a {FORMAT} archive; its first line must be "
                f"{_line(HEADER).strip()} (make one with invoke comments.export, or give "
                "--format for Isso, Disqus or pelican-comment-system files)."
            )
        if record.get("version") != VERSION:
            raise ArchiveError(
                f"{self.where(number)}: archive version {record.get('version')!r} is not one "
                f"this program reads (version {VERSION}); import it with the version that made it."
            )

    def record(self, record: dict[str, Any], number: int) -> None:
        where = self.where(number)
        if self.ended:
            raise ArchiveError(f"{where}: a record after the end record; the file was edited.")
        kind = record.get("kind")
        if kind == STORY:
            self._story(_fields(STORY_FIELDS_SINCE | record, STORY_FIELDS, STORY, where), where)
        elif kind == EVENT:
            self._event(_fields(record, EVENT_FIELDS, EVENT, where), where)
        elif kind == REVISION:
            self._revision(_fields(record, REVISION_FIELDS, REVISION, where), where)
        elif kind == END:
            self._end(_fields(END_FIELDS_SINCE | record, END_FIELDS, END, where), where)
        elif kind is None:
            raise ArchiveError(f'{where}: a record without "kind" ({STORY}, {EVENT} or {END}).')
        else:
            raise ArchiveError(
                f"{where}: unknown record kind {json.dumps(kind, ensure_ascii=False)}; "
                f"expected {STORY}, {EVENT}, {REVISION} or {END}."
            )

    def _story(self, values: dict[str, Any], where: str) -> None:
        if self.table is _events or self.table is _revisions:
            raise ArchiveError(f"{where}: a story after the events; stories come first.")
        story_id, parent_id = values["id"], values["parent_id"]
        if story_id in self.stories:
            raise ArchiveError(f"{where}: story {story_id} appears twice.")
        if parent_id is not None:
            parent = self.stories.get(parent_id)
            if parent is None:
                raise ArchiveError(
                    f"{where}: story {story_id} replies to story {parent_id}, "
                    "which is not earlier in the file."
                )
            if parent[1] is not None:
                raise ArchiveError(
                    f"{where}: story {story_id} replies to story {parent_id}, which is itself "
                    "a reply; replies belong to a top-level story."
                )
            if parent[0] != values["article"]:
                raise ArchiveError(
                    f"{where}: story {story_id} is on {values['article']} but replies to "
                    f"story {parent_id} on {parent[0]}."
                )
        self.stories[story_id] = (values["article"], parent_id)
        self.tally.add_story(values["article"], values["status"])
        _clean_texts(values, lambda name: f'{where}: story {story_id} field "{name}"')
        self._queue(_stories, values)

    def _event(self, values: dict[str, Any], where: str) -> None:
        if values["id"] in self.events:
            raise ArchiveError(f"{where}: moderation event {values['id']} appears twice.")
        self.events.add(values["id"])
        self.tally.events += 1
        self._queue(_events, values)

    def _revision(self, values: dict[str, Any], where: str) -> None:
        story_id = values["story_id"]
        if story_id not in self.stories:
            raise ArchiveError(
                f"{where}: a change to story {story_id}, which is not earlier in the file."
            )
        if story_id in self.revised:
            raise ArchiveError(f"{where}: two changes to story {story_id}; one waits at a time.")
        self.revised.add(story_id)
        _clean_texts(
            values,
            lambda name: f'{where}: the change to story {story_id}, field "{name}",',
            shown_on="no page",
        )
        self.tally.revisions += 1
        self._queue(_revisions, values)

    def _end(self, values: dict[str, Any], where: str) -> None:
        counted = (values["stories"], values["events"], values["revisions"])
        held = (self.tally.stories, self.tally.events, self.tally.revisions)
        if counted != held:
            said = f"{counted[0]} stories and {counted[1]} events"
            found = f"{held[0]} and {held[1]}"
            if counted[2] or held[2]:
                said = f"{counted[0]} stories, {counted[1]} events and {counted[2]} changes"
                found = f"{held[0]}, {held[1]} and {held[2]}"
            raise ArchiveError(
                f"{where}: the end record counts {said}, but the file holds {found}; the file "
                "was edited or damaged."
            )
        self.ended = True
        self.flush()

    def _queue(self, table: Table, values: dict[str, Any]) -> None:
        if self.table is not table:
            self.flush()
            self.table = table
        self.pending.append(values)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert the queued rows, after making sure none of their ids is taken."""
        if not self.pending or self.table is None:
            return
        if self.table is _revisions:  # their stories were checked and are new to the store
            self.conn.execute(insert(self.table), self.pending)
            self.pending = []
            return
        ids = [values["id"] for values in self.pending]
        taken = list(
            self.conn.scalars(
                select(self.table.c.id).where(self.table.c.id.in_(ids)).order_by(self.table.c.id)
            )
        )
        if taken:
            what = "stories" if self.table is _stories else "moderation events"
            shown = ", ".join(str(i) for i in taken[:5]) + (", ..." if len(taken) > 5 else "")
            raise ArchiveError(
                f"The store already has {what} with ids in this archive ({shown}). "
                "comments.import restores ids exactly, so it only loads into a store without "
                "them: point COMMENTS_DATABASE_URL at a new, empty database and import again."
            )
        self.conn.execute(insert(self.table), self.pending)
        self.pending = []


def _numbered(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Lines split on newline only: U+2028 and friends are ordinary characters in JSON."""
    for number, raw in enumerate(lines, start=1):
        yield number, raw.removesuffix(b"\n").removesuffix(b"\r")


def import_lines(store: Store, lines: Iterable[bytes], source: str) -> Tally:
    """Load an archive's lines in one transaction; any problem rolls everything back."""
    last = 0
    with store.writing() as tx:
        loader = _Loader(tx.conn, source)
        for number, raw in _numbered(lines):
            last = number
            if not raw.strip():
                raise ArchiveError(f"{loader.where(number)}: an empty line; the file was edited.")
            if number == 1:
                try:
                    header = _parse_object(raw, loader.where(number))
                except ArchiveError:
                    header = None  # an XML or SQLite file given without --format, say
                loader.header(header, number)
            else:
                loader.record(_parse_object(raw, loader.where(number)), number)
        if last == 0:
            raise ArchiveError(f"{source} is empty; it is not a {FORMAT} archive.")
        if not loader.ended:
            raise ArchiveError(
                f"{source} ends at line {last} without its end record: the file is cut short. "
                "Nothing was imported; export it again."
            )
        _advance_id_sequences(tx.conn)
    return loader.tally


def import_file(store: Store, path: Path) -> Tally:
    """Restore an archive written by export_to_file (or saved from standard output)."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as problem:
        raise ArchiveError(f"{path}: cannot open it ({problem.strerror}).") from None
    with handle:
        return import_lines(store, handle, path.name)


def import_summary(tally: Tally, where: str) -> list[str]:
    lines = [*tally.article_lines(), f"Restored {_amounts(tally)} from {where}, ids kept."]
    if any(counts[Status.APPROVED.value] for counts in tally.articles.values()):
        lines.append("Run `invoke build` to publish the approved stories.")
    return lines


def _advance_id_sequences(conn: Connection) -> None:
    """Ids never come back: new stories start after every id the rows or the history name.

    A deleted story's id lives on in the history only, so it counts too.
    """
    top_story = max(
        conn.scalar(select(func.max(_stories.c.id))) or 0,
        conn.scalar(select(func.max(_events.c.story_id))) or 0,
    )
    top_event = conn.scalar(select(func.max(_events.c.id))) or 0
    if conn.dialect.name == "postgresql":
        for table, top in ((_stories, top_story), (_events, top_event)):
            if top:
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
                    {"table": table.name, "top": top},
                )
    elif conn.dialect.name == "sqlite" and top_story:
        # AUTOINCREMENT keeps its high-water mark in sqlite_sequence; only ever raise it.
        params = {"table": _stories.name, "top": top_story}
        conn.execute(
            text("UPDATE sqlite_sequence SET seq = :top WHERE name = :table AND seq < :top"),
            params,
        )
        conn.execute(
            text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT :table, :top "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = :table)"
            ),
            params,
        )


# Single rows for the importers of foreign formats (importers/writer.py), which get new ids.


def insert_story(conn: Connection, values: Mapping[str, Any]) -> int:
    """Insert one story with a new id; returns the id."""
    result = conn.execute(insert(_stories).values(**values))
    return int(result.inserted_primary_key[0])


def _clean_texts(
    values: dict[str, Any], field: Callable[[str], str], shown_on: str = "no page or feed"
) -> None:
    """An archive is a file anyone can edit: a story's (or a change's) texts must be what the
    intake accepts, and its HTML passes the allowlist again. ``field`` names one in words."""
    for name in ("name", "body_markdown", "body_html"):
        problem = first_problem(values[name])
        if problem is not None:
            raise ArchiveError(
                f"{field(name)} holds {problem}, which {shown_on} can show; remove it from "
                "the file and import again."
            )
    values["body_html"] = sanitise(values["body_html"])
