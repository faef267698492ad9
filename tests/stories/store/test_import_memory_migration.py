"""Migration 0007 on a store that already holds imported stories, on SQLite and PostgreSQL.

A store imported into before source ids were kept gets the two new tables empty and its
stories untouched; importing the same database again then finds the old import by its article,
text and time instead of adding it twice.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from reader_stories.importers import ImportOptions, import_foreign
from reader_stories.importers.site_articles import SiteArticles
from reader_stories.models import body_fingerprint
from reader_stories.store import open_store
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "archive"))
from importer_support import FIXTURES, all_stories

ISSO = FIXTURES / "isso-0.14.db"


def _first_isso_comment() -> tuple[str, datetime]:
    with sqlite3.connect(f"{ISSO.resolve().as_uri()}?mode=ro", uri=True) as conn:
        body, created = conn.execute("SELECT text, created FROM comments WHERE id = 1").fetchone()
    conn.close()
    return body, datetime.fromtimestamp(created, UTC)


def test_a_store_imported_into_before_0007_is_upgraded_and_not_imported_twice(
    db_url: str,
) -> None:
    before = [name for name, _ in MIGRATIONS].index("0007_remember_imported_comments")
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    body, created = _first_isso_comment()
    engine = create_engine(db_url)
    try:
        apply_migrations(engine, MIGRATIONS[:before])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stories (article, name, notify, body_markdown, body_html,"
                    " body_hash, status, edited, author_reply, created, updated) VALUES"
                    " ('handling-job-rejection', 'Tom & Jerry <3', :no, :body, '<p>x</p>',"
                    " :hash, 'approved', :no, :no, :created, :created)"
                ),
                {
                    "no": False,
                    "body": body,
                    "hash": body_fingerprint(body),
                    "created": created.replace(tzinfo=None),
                },
            )
    finally:
        engine.dispose()

    with open_store(db_url) as store:
        tables = set(inspect(store.engine).get_table_names())
        site = SiteArticles.of(["handling-job-rejection", "asking-for-a-raise"])
        lines = import_foreign(store, ISSO, "isso", ImportOptions(site=site)).lines
        imported = all_stories(store)
        names = [story.name for story in imported]
        replies_to_first = {s.name: s.parent_id for s in imported if s.parent_id == 1}

    assert {"import_origins", "held_comments"} <= tables
    assert names.count("Tom & Jerry <3") == 1
    assert (
        "/Handling-Job-Rejection/ -> handling-job-rejection: 4 shown, 1 waiting for moderation, "
        "1 skipped, 1 already imported"
    ) in lines
    # The reply to the comment imported before hangs on that story.
    assert replies_to_first == {"Robin Vale": 1, "Sam Quill": 1}
