"""Migrations: a fresh database gets every table, re-runs change nothing, starts may race."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, create_engine, inspect

from reader_stories.store import Store, open_store, schema
from reader_stories.store.migrations import MIGRATIONS, applied_migrations, apply_migrations

NAMES = [name for name, _ in MIGRATIONS]


def test_migration_names_are_the_recorded_list() -> None:
    assert NAMES == [
        "0001_create_stories",
        "0002_create_moderation_events",
        "0003_create_rate_events",
        "0004_create_outbox",
        "0005_create_page_pushes",
        "0006_confirm_email_addresses",
        "0007_remember_imported_comments",
        "0008_record_returns_to_pending",
        "0009_count_helpful_marks",
        "0010_follow_articles",
        "0011_hold_stories_apart",
        "0012_revisions_and_digests",
        "0013_moderators",
        "0014_blocks_and_closed_articles",
        "0015_spam_scores",
        "0016_index_stories_by_hold",
        "0017_spend_proofs_once",
        "0018_keep_spam_scores",
    ]


def test_fresh_database_gets_every_migration_recorded_in_order(store: Store) -> None:
    assert applied_migrations(store.engine) == NAMES


def test_fresh_database_matches_the_current_schema(store: Store) -> None:
    """Guards drift between the frozen migration tables and schema.py's Table objects."""
    inspector = inspect(store.engine)
    for table in schema.metadata.tables.values():
        columns = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name: c.nullable for c in table.columns}, table.name
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert indexes >= {i.name for i in table.indexes}, table.name


def test_stories_has_the_article_status_index(store: Store) -> None:
    indexes = {i["name"]: i["column_names"] for i in inspect(store.engine).get_indexes("stories")}
    assert indexes["ix_stories_article_status"] == ["article", "status"]


def test_rerunning_applies_nothing_and_keeps_the_list(store: Store, db_url: str) -> None:
    assert apply_migrations(store.engine) == []
    with open_store(db_url) as again:
        assert applied_migrations(again.engine) == NAMES


def test_a_new_migration_is_applied_once(store: Store) -> None:
    calls: list[str] = []

    def add_table(conn: Connection) -> None:
        calls.append("ran")
        Table("extra", MetaData(), Column("id", Integer, primary_key=True)).create(conn)

    later = [*MIGRATIONS, ("0004_extra", add_table)]
    assert apply_migrations(store.engine, later) == ["0004_extra"]
    assert apply_migrations(store.engine, later) == []
    assert calls == ["ran"]
    assert "extra" in inspect(store.engine).get_table_names()
    assert applied_migrations(store.engine) == [*NAMES, "0004_extra"]


def test_a_failing_migration_leaves_no_trace(store: Store) -> None:
    """DDL runs inside the transaction, so a half-done migration is rolled back whole."""

    def broken(conn: Connection) -> None:
        Table("half_done", MetaData(), Column("id", Integer, primary_key=True)).create(conn)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        apply_migrations(store.engine, [*MIGRATIONS, ("0004_broken", broken)])
    assert "half_done" not in inspect(store.engine).get_table_names()
    assert applied_migrations(store.engine) == NAMES


def test_duplicate_migration_names_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unique"):
        apply_migrations(store.engine, [*MIGRATIONS, MIGRATIONS[0]])


def test_applied_migrations_on_an_empty_database_is_empty(tmp_path: Path) -> None:
    engine: Engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        assert applied_migrations(engine) == []
    finally:
        engine.dispose()


def test_concurrent_starts_apply_each_migration_once(db_path: Path, db_url: str) -> None:
    """Several processes opening one fresh file at the same moment all succeed."""
    go = db_path.parent.parent / "go"
    script = (
        "import os, sys, time\n"
        "from reader_stories.store import open_store\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.001)\n"
        f"open_store({db_url!r}, busy_timeout=30).close()\n"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(6)
    ]
    go.touch()
    errors = [child.communicate(timeout=60)[1].decode() for child in children]
    assert [child.returncode for child in children] == [0] * len(children), errors
    with open_store(db_url) as store:
        assert applied_migrations(store.engine) == NAMES


def test_sqlite_runs_durable_wal_with_foreign_keys(store: Store) -> None:
    with store.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    full = 2  # SQLite's number for synchronous=FULL
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": full,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


def test_default_url_creates_var_folder_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store() as store:
        assert applied_migrations(store.engine) == NAMES
    assert (tmp_path / "var" / "comments.sqlite3").is_file()
