"""Bring comments from the systems a blog leaves behind into the story store.

One module per foreign format reads it into plain records (records.py); writer.py stores
them all the same way, in one transaction, with new ids. Our own archive format (archive.py)
restores ids exactly instead, so it is dispatched here too, under the name ``nextround``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader_stories import archive
from reader_stories.archive import ArchiveError
from reader_stories.importers.disqus import read_disqus
from reader_stories.importers.isso import read_isso
from reader_stories.importers.pelican_comment_system import read_pelican_comment_system
from reader_stories.importers.records import Harvest
from reader_stories.importers.writer import write_harvest
from reader_stories.store import Store

OWN_FORMAT = "nextround"
READERS: dict[str, Callable[[Path], Harvest]] = {
    "pelican-comment-system": read_pelican_comment_system,
    "isso": read_isso,
    "disqus": read_disqus,
}
FORMATS = (OWN_FORMAT, *READERS)


def import_path(store: Store, path: Path, format: str = OWN_FORMAT) -> list[str]:
    """Import ``path`` in the named format; returns the summary lines to print."""
    path = Path(path)
    if format == OWN_FORMAT:
        return archive.import_summary(archive.import_file(store, path), path.name)
    reader = READERS.get(format)
    if reader is None:
        raise ArchiveError(f"Unknown format {format!r}; use one of: {', '.join(FORMATS)}.")
    return write_harvest(store, reader(path)).lines()
