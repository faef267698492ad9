"""Backups taken while stories keep arriving, and restored with nothing lost."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
import store_calls as calls
from stories_support import submission

from reader_stories.store import open_store
from reader_stories.store.backup import BackupError, restore_backup, take_backup


class Writer(threading.Thread):
    """A reader after another sending stories, as the intake stores them, until told to stop."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.acknowledged: list[int] = []
        self.stop = threading.Event()
        self.problems: list[BaseException] = []

    def run(self) -> None:
        try:
            with open_store(self.url) as store:
                number = 0
                while not self.stop.is_set():
                    number += 1
                    body = f"Story {number} sent while a backup is being taken."
                    story = calls.add_submission(store, submission(body_markdown=body))
                    self.acknowledged.append(story.id)
        except BaseException as exc:  # the test reports it
            self.problems.append(exc)


def stored_ids(url: str) -> set[int]:
    with open_store(url) as store:
        return {story.id for story in store.pending()}


def test_a_backup_under_load_restores_every_story_acknowledged_before_it(
    backend: str, db_url: str, tmp_path: Path
) -> None:
    with open_store(db_url) as store:
        calls.add_submission(store, submission())
    writer = Writer(db_url)
    writer.start()
    try:
        while len(writer.acknowledged) < 20 and not writer.problems:
            threading.Event().wait(0.01)
        before = set(writer.acknowledged)
        backup = take_backup(db_url, tmp_path / "backups")
        during = len(writer.acknowledged)
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.problems == []
    assert during > len(before), "stories kept arriving while the backup was taken"
    assert backup.path.stat().st_mode & 0o777 == 0o600
    assert backup.path.suffix == (".sqlite3" if backend == "sqlite" else ".jsonl")

    restored = f"sqlite:///{tmp_path / 'restored' / 'comments.sqlite3'}"
    said = restore_backup(restored, backup.path)
    assert str(backup.stories) in said
    back = stored_ids(restored)
    assert before | {1} <= back, "every story acknowledged before the backup is in it"
    assert len(back) == backup.stories
    if backend == "sqlite":
        path = tmp_path / "restored" / "comments.sqlite3"
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_only_the_newest_backups_are_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with open_store(url) as store:
        calls.add_submission(store, submission())
    taken = [take_backup(url, tmp_path / "backups", keep=2) for _ in range(4)]
    kept = sorted((tmp_path / "backups").iterdir())
    assert kept == [taken[2].path, taken[3].path]
    assert taken[3].removed == (taken[1].path,)


def test_backing_up_nothing_or_restoring_nonsense_is_said(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    with pytest.raises(BackupError, match="There is no store at"):
        take_backup(url, tmp_path / "backups")
    with pytest.raises(BackupError, match="Keep at least one backup"):
        take_backup(url, tmp_path / "backups", keep=0)
    junk = tmp_path / "stories-junk.sqlite3"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(BackupError, match="is not a backup of the story store"):
        restore_backup(url, junk)
    with pytest.raises(BackupError, match="does not exist"):
        restore_backup(url, tmp_path / "missing.sqlite3")
    assert not (tmp_path / "none.sqlite3").exists()
