"""Backups of the store, taken while the service keeps writing, and bringing one back.

SQLite: the online backup API copies a consistent snapshot page by page, so the intake never
stops (a writer committing meanwhile is simply copied or not, never half). PostgreSQL: the
archive export (JSON Lines) read in one REPEATABLE READ snapshot; `pg_dump` remains the tool
for a whole database. Every backup is owner-only (it holds readers' email addresses) and only
the newest few are kept.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader_stories import archive
from reader_stories.errors import StoriesError
from reader_stories.private_files import create_private
from reader_stories.store import open_store
from reader_stories.store.engine import sqlite_path

PREFIX = "stories-"
SQLITE_SUFFIX = ".sqlite3"
ARCHIVE_SUFFIX = ".jsonl"
DEFAULT_KEEP = 14


class BackupError(StoriesError):
    """A backup could not be taken or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    stories: int
    removed: tuple[Path, ...]  # older backups let go, beyond the number kept


def take_backup(url: str, folder: Path, keep: int = DEFAULT_KEEP) -> Backup:
    """A consistent copy of the store at `url` into `folder`, then keep only the newest `keep`."""
    if keep < 1:
        raise BackupError("Keep at least one backup (--keep 1 or more).")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    source = sqlite_path(url)
    if source is not None:
        if not source.is_file():
            raise BackupError(f"There is no store at {source} to back up.")
        path = folder / f"{PREFIX}{stamp}{SQLITE_SUFFIX}"
        create_private(path)
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(path)) as copy:
            live.backup(copy)
            stories = copy.execute("SELECT count(*) FROM stories").fetchone()[0]
    else:
        path = folder / f"{PREFIX}{stamp}{ARCHIVE_SUFFIX}"
        with open_store(url) as store:
            stories = archive.export_to_file(store, path).stories
    return Backup(path, int(stories), tuple(_prune(folder, keep)))


def restore_backup(url: str, path: Path) -> str:
    """Bring a backup back: a SQLite copy replaces the store's contents, in one step; an archive
    is imported into a store that has no stories. Says what it did, for the moderator."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    if path.suffix == ARCHIVE_SUFFIX:
        with open_store(url) as store:
            return "\n".join(archive.import_summary(archive.import_file(store, path), path.name))
    target = sqlite_path(url)
    if target is None:
        raise BackupError(
            f"{path.name} is a SQLite backup and the store ({url}) is not SQLite: restore it "
            "with an archive (.jsonl) backup instead."
        )
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as copy:
        try:
            stories = copy.execute("SELECT count(*) FROM stories").fetchone()[0]
        except sqlite3.DatabaseError:
            raise BackupError(f"{path} is not a backup of the story store.") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            create_private(target)
        with closing(sqlite3.connect(target)) as live:
            copy.backup(live)  # other connections see the old store, then the restored one
    with open_store(url):  # migrations, for a backup taken by an older version
        pass
    return f"Restored {stories} {'story' if stories == 1 else 'stories'} from {path} into {target}."


def _prune(folder: Path, keep: int) -> list[Path]:
    backups = sorted(
        p for p in folder.glob(f"{PREFIX}*") if p.suffix in (SQLITE_SUFFIX, ARCHIVE_SUFFIX)
    )
    removed = backups[:-keep]
    for path in removed:
        path.unlink()
    return removed
