"""`comments.forget` and `comments.purge` end follows of articles and say so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cli_support import Cli
from sqlalchemy import func, select

from reader_stories.store import Store, open_store, schema

FOLLOWER = "kit@example.org"


def follow(store: Store, article: str, email: str, *, confirmed: bool = False) -> None:
    with store.writing() as tx:
        made = tx.add_follow(article, email)
        if confirmed:
            tx.confirm_follow(made.id)


def count_follows(db_url: str) -> int:
    with open_store(db_url) as store, store.reading() as tx:
        return int(tx.conn.scalar(select(func.count()).select_from(schema.follows)) or 0)


def test_forget_ends_every_follow_of_the_address(tmp_path: Path, db_url: str) -> None:
    cli = Cli(tmp_path, db_url)
    with open_store(db_url) as store:
        follow(store, "asking-for-a-raise", FOLLOWER, confirmed=True)
        follow(store, "handling-job-rejection", FOLLOWER.upper())
        follow(store, "handling-job-rejection", "other@example.org")
    ran = cli("forget", FOLLOWER)
    assert ran.code == 0, ran.err
    assert ran.out_lines[:2] == [
        "No story was written with that address.",
        "Ended 2 follows of articles by that address.",
    ]
    assert count_follows(db_url) == 1
    again = cli("forget", FOLLOWER)
    assert again.out_lines[0] == "No story was written with that address; nothing to remove."


def test_purge_names_the_unconfirmed_follows_it_deleted(tmp_path: Path, db_url: str) -> None:
    cli = Cli(tmp_path, db_url)
    with open_store(db_url) as store, store.writing() as tx:
        made = tx.add_follow("asking-for-a-raise", FOLLOWER)
        old = tx.clock() - timedelta(days=8)
        tx.conn.execute(
            schema.follows.update().where(schema.follows.c.id == made.id).values(created=old)
        )
    ran = cli("purge")
    assert ran.code == 0, ran.err
    assert "Deleted 1 follow of articles nobody confirmed, with their addresses." in ran.out_lines
    assert count_follows(db_url) == 0


def test_export_says_it_leaves_follows_out(tmp_path: Path, db_url: str) -> None:
    cli = Cli(tmp_path, db_url)
    with open_store(db_url) as store:
        follow(store, "asking-for-a-raise", FOLLOWER, confirmed=True)
    path = tmp_path / "export.jsonl"
    ran = cli("export", "--path", str(path))
    assert ran.code == 0, ran.err
    assert ran.out_lines[-1] == (
        "Not exported: 1 follow of articles (exports never carry follows or their addresses; "
        "after a restore, readers follow again from the article)."
    )
    assert FOLLOWER not in path.read_text(encoding="utf-8")
