"""The store's files and exports hold readers' email addresses: owner-only (0600) from creation.

Checked on real files with a permissive umask (022, which makes 0644 files): the SQLite database
and the -wal and -shm files SQLite makes beside it, whether the store is opened by a command or
by the intake serving a real request, and every `comments.export --path` file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from stories_support import add, make_config

from reader_stories import archive
from reader_stories.settings import CommentsSettings, RateLimit
from reader_stories.store import open_store
from reader_stories.tokens import make_article_token
from reader_stories.web.intake.app import create_app
from sitetools.serve import running

SECRET = "private-files-secret-" + "p" * 32
SLUG = "asking-for-a-raise"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sqlite_files(db_path: Path) -> dict[str, int]:
    """The mode of the database and of each file SQLite keeps beside it."""
    names = [db_path, db_path.with_name(db_path.name + "-wal")]
    names.append(db_path.with_name(db_path.name + "-shm"))
    return {path.name: mode(path) for path in names}


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask, under which files are created readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_the_store_and_its_wal_files_are_created_owner_only(db_path: Path) -> None:
    with open_store(f"sqlite:///{db_path}") as store:
        add(store, email="ada@example.org", notify=True)
        assert sqlite_files(db_path) == {
            "comments.sqlite3": 0o600,
            "comments.sqlite3-wal": 0o600,
            "comments.sqlite3-shm": 0o600,
        }
    assert mode(db_path) == 0o600


def test_the_intake_creates_its_store_owner_only(db_path: Path) -> None:
    settings = CommentsSettings(
        database_url=f"sqlite:///{db_path}", secret_key=SECRET, rate_limit=RateLimit(100, 600)
    )
    app = create_app(make_config(settings))
    form = {
        "article": SLUG,
        "token": make_article_token(SECRET, SLUG),
        "name": "Ada",
        "email": "ada@example.org",
        "notify": "yes",
        "story": "I asked for a raise after a year of extra work, and got it.",
        "consent": "yes",
    }
    try:
        with running(app) as base, httpx.Client(base_url=base) as client:
            assert client.post("/", data=form).status_code == 303
            assert set(sqlite_files(db_path).values()) == {0o600}
    finally:
        app.state.close()


def test_an_existing_store_keeps_its_mode(db_path: Path) -> None:
    """Only new files are made private: an operator's chmod is not undone."""
    db_path.parent.mkdir(parents=True)
    db_path.touch(mode=0o640)
    os.chmod(db_path, 0o640)
    with open_store(f"sqlite:///{db_path}"):
        pass
    assert mode(db_path) == 0o640


def test_exports_are_owner_only_even_over_a_readable_file(db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "exports" / "stories.jsonl"
    target.parent.mkdir()
    target.write_text("an older, world-readable file\n", encoding="utf-8")
    assert mode(target) == 0o644
    with open_store(f"sqlite:///{db_path}") as store:
        add(store, email="ada@example.org", notify=True)
        archive.export_to_file(store, target)
    assert mode(target) == 0o600
    assert "ada@example.org" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["stories.jsonl"]
