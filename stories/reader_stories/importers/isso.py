"""Read an Isso SQLite database (isso/db/threads.py and comments.py) into imported comments.

Isso keeps ``threads(id, uri, title)`` and ``comments(tid, id, parent, created, modified,
mode, remote_addr, text, author, email, website, likes, dislikes, voters, notification)``;
``mode`` is 1 accepted, 2 pending, 4 deleted, and ``text`` is the reader's Markdown. The file
is opened read-only: importing never changes the Isso database.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader_stories.archive import ArchiveError
from reader_stories.importers.records import (
    NO_SLUG,
    NOTE_NO_IPS,
    Harvest,
    ImportedComment,
    Skipped,
    clean_email,
    clean_name,
    clean_text,
    slug_from_uri,
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
NOTE_NOT_KEPT = "Websites, likes and votes were not imported: the store has no place for them."
_QUERY = (
    "SELECT c.id, c.parent, c.created, c.modified, c.mode, c.text, c.author, c.email, t.uri "
    "FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid ORDER BY c.id"
)


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


def _time(path: Path, comment_id: int, column: str, value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArchiveError(
            f"{path}: comment {comment_id} has {column} = {value!r}, not a Unix time; "
            "the database is damaged."
        )
    return datetime.fromtimestamp(value, UTC)


def _comment(path: Path, row: sqlite3.Row, slug: str, status: Status) -> ImportedComment:
    created = _time(path, row["id"], "created", row["created"])
    modified = row["modified"]
    body = clean_text(row["text"])
    return ImportedComment(
        ref=f"comment {row['id']}",
        parent_ref=None if row["parent"] is None else f"comment {row['parent']}",
        article=slug,
        name=clean_name(row["author"]),
        email=clean_email(row["email"]),
        body_markdown=body,
        body_html=render_story(body),
        status=status,
        created=created,
        updated=created if modified is None else _time(path, row["id"], "modified", modified),
    )


def read_isso(path: Path) -> Harvest:
    """Every comment of the database: accepted and pending ones to import, deleted ones skipped."""
    path = Path(path)
    harvest = Harvest(SOURCE, notes=[NOTE_NO_IPS, NOTE_NOT_KEPT])
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
        uri = row["uri"]
        slug = slug_from_uri(uri) if isinstance(uri, str) else None
        if row["mode"] == DELETED:
            harvest.skipped.append(Skipped(ref, slug or str(uri), "deleted"))
        elif row["mode"] not in MODES:
            raise ArchiveError(
                f"{path}: comment {row['id']} has mode {row['mode']!r}; Isso uses 1 (accepted), "
                "2 (pending) and 4 (deleted)."
            )
        elif slug is None:
            reason = "its thread is missing" if uri is None else NO_SLUG
            harvest.skipped.append(Skipped(ref, str(uri), reason))
        elif not clean_text(row["text"]):
            harvest.skipped.append(Skipped(ref, slug, "empty text"))
        else:
            harvest.comments.append(_comment(path, row, slug, MODES[row["mode"]]))
    return harvest
