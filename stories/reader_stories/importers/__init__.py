"""Bring comments from the systems a blog leaves behind into the story store.

One module per foreign format reads it into plain records (records.py); plan.py decides what
becomes of each (which article its address maps to, shown or not and why), report.py puts
that in words and writer.py carries it out, in one transaction, with new ids. A dry run stops
after the report. Our own archive format (archive.py) restores ids exactly instead, so it is
dispatched here too, under the name ``nextround``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from reader_stories import archive
from reader_stories.archive import ArchiveError
from reader_stories.importers.disqus import read_disqus
from reader_stories.importers.isso import read_isso
from reader_stories.importers.pelican_comment_system import read_pelican_comment_system
from reader_stories.importers.plan import Owner, Plan, make_plan
from reader_stories.importers.records import Harvest, ImportedComment
from reader_stories.importers.report import report_lines, shown_articles
from reader_stories.importers.site_articles import SiteArticles
from reader_stories.importers.url_map import UrlMap
from reader_stories.importers.writer import carry_out, held_comment
from reader_stories.models import body_fingerprint
from reader_stories.store import Store, Tx
from reader_stories.store.imports import Origin

OWN_FORMAT = "nextround"
FOREIGN = ("pelican-comment-system", "isso", "disqus")
FORMATS = (OWN_FORMAT, *FOREIGN)
_WHAT = {
    "pelican-comment-system": "the pelican-comment-system folder",
    "isso": "the Isso database",
    "disqus": "the Disqus export",
}


@dataclass(frozen=True)
class ImportOptions:
    """How a foreign import places comments: the site's articles, the owner's map of old
    addresses, the owner's own names and addresses, the site's time zone."""

    site: SiteArticles
    url_map: UrlMap = field(default_factory=UrlMap)
    owner: Owner = field(default_factory=Owner)
    timezone: str = "UTC"
    dry_run: bool = False


@dataclass
class ImportResult:
    lines: list[str]
    shown_articles: set[str] = field(default_factory=set)


def _reader(format: str, options: ImportOptions) -> Callable[[Path], Harvest]:
    if format == "pelican-comment-system":
        return partial(read_pelican_comment_system, timezone=options.timezone)
    return {"isso": read_isso, "disqus": read_disqus}[format]


def _plan(tx: Tx, harvest: Harvest, options: ImportOptions) -> Plan:
    held = [held_comment(row) for row in tx.held(harvest.source)]

    def twin(slug: str, comment: ImportedComment) -> Origin | None:
        return tx.twin(slug, body_fingerprint(comment.body_markdown), comment.created)

    return make_plan(
        harvest,
        options.site,
        options.url_map,
        options.owner,
        tx.origins(harvest.source),
        held,
        twin,
    )


def import_foreign(store: Store, path: Path, format: str, options: ImportOptions) -> ImportResult:
    """Read ``path``, plan, report; unless a dry run, write it all in one transaction."""
    harvest = _reader(format, options)(Path(path))
    what = f"{_WHAT[format]} {Path(path).name}"
    if options.dry_run:
        with store.reading() as tx:
            plan = _plan(tx, harvest, options)
        return ImportResult(report_lines(plan, dry_run=True, what=what))
    with store.writing() as tx:
        plan = _plan(tx, harvest, options)
        carry_out(tx, plan)
    return ImportResult(report_lines(plan, dry_run=False, what=what), shown_articles(plan))


def import_path(
    store: Store,
    path: Path,
    format: str = OWN_FORMAT,
    options: ImportOptions | None = None,
) -> list[str]:
    """Import ``path`` in the named format; returns the report's lines."""
    path = Path(path)
    if format == OWN_FORMAT:
        return archive.import_summary(archive.import_file(store, path), path.name)
    if format not in FOREIGN:
        raise ArchiveError(f"Unknown format {format!r}; use one of: {', '.join(FORMATS)}.")
    if options is None:
        raise ArchiveError(f"Importing {format} needs the site's articles (ImportOptions).")
    return import_foreign(store, path, format, options).lines
