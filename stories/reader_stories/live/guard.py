"""What a store knows of published stories, for the publish guard (sitetools/publish.py)."""

from __future__ import annotations

from collections.abc import Iterable

from reader_stories.config import Config
from reader_stories.pages.published import sqlite_file
from reader_stories.store import open_store


def stories_unknown_to(config: Config, ids: Iterable[int]) -> set[int]:
    """The ids this configuration's store has never held: not as a story in any status, not in
    the moderation history (which outlives a deleted story). A missing SQLite file knows none,
    and is not created."""
    wanted = set(ids)
    if not wanted:
        return set()
    url = config.comments.database_url
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return wanted
    with open_store(url) as store, store.reading() as tx:
        return wanted - tx.known_ids(wanted)
