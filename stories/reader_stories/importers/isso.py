"""Read an Isso SQLite database (isso/db/threads.py and comments.py) into imported comments.

Isso keeps ``threads(id, uri, title)`` and ``comments(tid, id, parent, created, modified,
mode, remote_addr, text, author, email, website, likes, dislikes, voters, notification)``;
``mode`` is 1 accepted, 2 pending, 4 deleted, and ``text`` is the reader's Markdown, which
Isso 0.14 renders with HTML escaped and line breaks kept, as the stories' own Markdown does.
Isso stores ``author`` and ``email`` HTML-escaped; they are unescaped once here. The file is
opened read-only: importing never changes the Isso database.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

from reader_stories.archive import ArchiveError
from reader_stories.importers.records import (
    NOTE_NO_IPS,
    Harvest,
    ImportedComment,
    Skipped,
    clean_email,
    clean_name,
    clean_text,
)
from reader_stories.models import Status
from reader_stories.story_html import render_story

SOURCE = "isso"
MODES = {1: Status.APPROVED, 2: Status.PENDING}
DELETED = 4
REQUIRED = {
    "threads": ("id", "uri"),
    "comments": ("tid", "id", "parent", "created", "modified", "mode", "text", "author", "email"),
}
_QUERY = "SELECT c.*, t.uri FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid ORDER BY c.id"


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file; give the path of Isso's SQLite database.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as problem:
        conn.close()
        raise ArchiveError(
            f"{path} is not an SQLite database ({problem}); give the path of Isso's database "
            "(the dbpath of its configuration)."
        ) from None
    for table, columns in REQUIRED.items():
        found = (
            {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            if table in tables
            else set()
        )
        missing = [column for column in columns if column not in found]
        if missing:
            conn.close()
            raise ArchiveError(
                f"{path} is an SQLite database but not Isso's: its {table} table "
                f"{'lacks ' + ', '.join(missing) if found else 'is missing'}."
            )
    return conn


def _time(column: str, value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArchiveError(f"its {column} is {value!r}, not a Unix time")
    return datetime.fromtimestamp(value, UTC)


def _stored(value: object) -> str:
    """Isso escapes names and addresses before storing them (html.escape); undone once."""
    return unescape(value) if isinstance(value, str) else ""


def _comment(row: sqlite3.Row, uri: str, status: Status) -> ImportedComment:
    created = _time("created", row["created"])
    modified = row["modified"]
    body = clean_text(row["text"])
    return ImportedComment(
        ref=f"comment {row['id']}",
        parent_ref=None if row["parent"] is None else f"comment {row['parent']}",
        source_url=uri,
        name=clean_name(_stored(row["author"])),
        email=clean_email(_stored(row["email"])),
        body_markdown=body,
        body_html=render_story(body),
        status=status,
        created=created,
        updated=created if modified is None else _time("modified", modified),
    )


def _note_dropped(row: sqlite3.Row, harvest: Harvest) -> None:
    keys = row.keys()
    if "website" in keys and row["website"]:
        harvest.drop("website links")
    if any(key in keys and row[key] for key in ("likes", "dislikes")):
        harvest.drop("votes (likes and dislikes)")
    if "notification" in keys and row["notification"]:
        harvest.drop("reply notifications (subscriptions)")


def read_isso(path: Path) -> Harvest:
    """Every comment of the database: accepted and pending ones to import; deleted ones and
    rows that cannot be read are reported and left out, never stopping the rest."""
    path = Path(path)
    harvest = Harvest(SOURCE, notes=[NOTE_NO_IPS])
    conn = _open(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(_QUERY).fetchall()
    except sqlite3.DatabaseError as problem:
        raise ArchiveError(f"{path}: cannot read the comments ({problem}).") from None
    finally:
        conn.close()
    for row in rows:
        ref = f"comment {row['id']}"
        uri = row["uri"] if isinstance(row["uri"], str) else ""
        if row["mode"] == DELETED:
            harvest.skipped.append(Skipped(ref, uri, "deleted in Isso"))
        elif row["mode"] not in MODES:
            reason = f"mode {row['mode']!r}, which Isso does not use (1, 2 or 4)"
            harvest.skipped.append(Skipped(ref, uri, reason))
        elif row["uri"] is None:
            harvest.skipped.append(Skipped(ref, "", "its thread is missing"))
        elif not clean_text(row["text"]):
            harvest.skipped.append(Skipped(ref, uri, "an empty text"))
        else:
            try:
                comment = _comment(row, uri, MODES[row["mode"]])
            except ArchiveError as problem:
                harvest.skipped.append(Skipped(ref, uri, str(problem)))
                continue
            _note_dropped(row, harvest)
            harvest.comments.append(comment)
    return harvest
