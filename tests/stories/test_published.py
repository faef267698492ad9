"""The build's read of the store (pages/published.py) gives exactly what the store gives."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import store_calls as calls

from reader_stories.moderation import actions as moderation
from reader_stories.pages.published import (
    CURRENT_MIGRATIONS,
    ApprovedReader,
    _aware_utc,
    approved_for_build,
    sqlite_file,
)
from reader_stories.store import approved_stories, open_store
from reader_stories.store.engine import create_store_engine, sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations
from reader_stories.validation import validate_submission


def submit(store, name: str, story: str, article: str, reply_to: str = "", email: str = ""):
    form = {
        "article": article,
        "name": name,
        "story": story,
        "consent": "yes",
        "reply_to": reply_to,
        "email": email,
        "notify": "yes" if email else "",
    }
    return calls.add_submission(store, validate_submission(form, ip_hash="f" * 64))


def fill(url: str) -> None:
    """Stories in every state, a reply under a story later taken down, an author reply."""
    with open_store(url) as store:
        first = submit(store, "Ayo", "Two offers after ten rejections.", "a", email="a@x.example")
        submit(store, "Ben", "Still waiting on a reply from them.", "a")
        rejected = submit(store, "Cat", "A rant about one company in particular.", "b")
        second = submit(store, "Dan", "The follow-up email got me a second interview.", "b")
        later = submit(store, "Gus", "A story that is taken down after a reply.", "b")
        moderation.approve(store, [first.id, second.id, later.id])
        moderation.reject(store, [rejected.id], "off topic")
        reply = submit(store, "Eve", "Same here, keep at it.", "a", reply_to=str(first.id))
        hidden = submit(store, "Fay", "A reply under Gus's story.", "b", reply_to=str(later.id))
        moderation.approve(store, [reply.id, hidden.id])
        moderation.reject(store, [later.id], "asked to be removed")
        moderation.reply(store, second.id, "Thank you for sharing this story.", "Editor")


def test_the_migration_list_is_the_stores() -> None:
    assert tuple(name for name, _ in MIGRATIONS) == CURRENT_MIGRATIONS


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///comments.sqlite3",
        "sqlite:///var/comments.sqlite3",
        "sqlite:////tmp/abs/comments.sqlite3",
        "sqlite:///comments.sqlite3?timeout=5",
        "sqlite:///:memory:",
        "sqlite://",
        "sqlite:///file:x?mode=memory&uri=true",
        "postgresql://user@localhost/stories",
    ],
)
def test_reads_the_same_file_as_the_store(url: str) -> None:
    assert sqlite_file(url) == sqlite_path(url)


def test_same_stories_same_order_as_the_store(db_url: str) -> None:
    fill(db_url)
    expected = approved_stories(db_url)
    assert [s.name for s in expected] == ["Ayo", "Eve", "Dan", "Editor"]
    assert approved_for_build(db_url) == [replace(s, body_markdown="") for s in expected]
    assert all(s.email is None for s in expected)
    assert all(s.body_markdown for s in expected)  # the store has it; the build leaves it out


def test_asked_for_some_articles_gives_theirs_alone_in_the_same_order(db_url: str) -> None:
    fill(db_url)
    everything = approved_for_build(db_url)
    assert approved_for_build(db_url, ["b"]) == [s for s in everything if s.article == "b"]
    assert approved_for_build(db_url, ["a", "b"]) == everything
    assert approved_for_build(db_url, ["none-such"]) == []
    assert approved_for_build(db_url, []) == []


def test_a_missing_file_is_no_stories_and_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none' / 'comments.sqlite3'}"
    assert approved_for_build(url) == []
    assert not (tmp_path / "none").exists()


def test_a_database_behind_on_migrations_goes_through_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_store_engine(url, busy_timeout=5)
    apply_migrations(engine, MIGRATIONS[:1])
    engine.dispose()
    assert approved_for_build(url) == []
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:  # the store migrated it, as it does
        names = [name for (name,) in db.execute("SELECT name FROM migrations ORDER BY id")]
    assert tuple(names) == CURRENT_MIGRATIONS


def test_a_damaged_file_fails_as_the_store_fails(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    url = f"sqlite:///{path}"
    with pytest.raises(Exception) as ours:
        approved_for_build(url)
    with pytest.raises(Exception) as stores:
        approved_stories(url)
    assert type(ours.value) is type(stores.value)
    assert str(ours.value) == str(stores.value)


def test_a_reader_keeps_one_connection_and_opens_its_own_in_a_forked_child(db_url: str) -> None:
    fill(db_url)
    everything = approved_for_build(db_url)
    reader = ApprovedReader(db_url)
    assert reader(["a"]) == [s for s in everything if s.article == "a"]
    child = os.fork()
    if child == 0:  # the page writer's process: reads over a connection of its own
        os._exit(0 if reader(["a", "b"]) == everything else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert reader(["b"]) == [s for s in everything if s.article == "b"]  # the parent's still works
    reader.close()
    assert reader() == everything  # a read after close opens again
    reader.close()


@pytest.mark.parametrize(
    "stored",
    [
        "2026-03-02 10:15:30.123456",  # as the store writes a time: naive UTC
        "2026-03-02 10:15:30",
        "2026-03-02T10:15:30+00:00",  # written with its offset by hand: read as before
        "2026-03-02 10:15:30+05:30",
        "2026-03-02",
    ],
)
def test_a_stored_time_is_read_aware_as_it_always_was(stored: str) -> None:
    read = _aware_utc(stored)
    assert read == datetime.fromisoformat(stored).replace(tzinfo=UTC)
    assert read.tzinfo is UTC
