"""Republish after moderation: rewrite one article's stories section, count and feed in place.

A full build renders the same section with the same function (section.py), so the page this
writes is byte for byte what the next `invoke build` writes. Pages that only show counts (lists,
tags) catch up at the next full build.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from reader_stories.config import SITE_FEED, Config
from reader_stories.live.manifest import MANIFEST, manifest_text
from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.built import section_attributes
from reader_stories.pages.section import (
    COUNT_BEGIN,
    COUNT_END,
    SECTION_BEGIN,
    SECTION_END,
    SITE_FEED_LIMIT,
    ArticleRef,
    render_count,
    render_feed,
    render_newest_feed,
    render_section,
    story_count,
)
from reader_stories.pages.templates import environment
from reader_stories.store import Store
from reader_stories.threads import threads


class NotBuilt(Exception):
    """The article's page is not in the built site (or has no stories section) yet."""


def _between(text: str, begin: str, end: str, page: Path) -> tuple[int, int]:
    start = text.find(begin)
    stop = text.find(end, start)
    if start < 0 or stop < 0:
        raise NotBuilt(f"{page} has no {begin} ... {end} part; rebuild the site once.")
    return start, stop + len(end)


def _article_ref(section_html: str, slug: str, default_order: str = "oldest") -> ArticleRef:
    """The article as its built section says; the order of its stories is the one the build
    chose (the site's, or the article's own), so a rewrite keeps it."""
    attributes = section_attributes(section_html)
    return ArticleRef(
        slug=slug,
        title=attributes.get("data-article-title", ""),
        url=attributes.get("data-article-url", ""),
        date=datetime.fromisoformat(attributes.get("data-article-date", "")),
        order=attributes.get("data-stories-order", default_order),
    )


def _page(config: Config, site: Path, slug: str) -> Path:
    return site / config.site.article_save_as.format(slug=slug)


def _built_article(config: Config, site: Path, slug: str) -> ArticleRef | None:
    """The article as its page in `site` says (title, address, date), or None without one."""
    page = _page(config, site, slug)
    try:
        text = page.read_text(encoding="utf-8")
        start, stop = _between(text, SECTION_BEGIN, SECTION_END, page)
    except (OSError, NotBuilt):
        return None
    return _article_ref(text[start:stop], slug)


def republish_article(store: Store, config: Config, site: Path, slug: str) -> list[Path]:
    """Rewrite the article page's count and stories section, and its stories feed, in `site`
    (a built site folder: the web root on one server, output/ in development)."""
    page = _page(config, site, slug)
    if not page.is_file():
        raise NotBuilt(
            f"{page} does not exist: the article is not on this site yet, and will show its "
            "stories once a build or publish puts it there"
        )
    text = page.read_text(encoding="utf-8")
    start, stop = _between(text, SECTION_BEGIN, SECTION_END, page)
    article = _article_ref(text[start:stop], slug, config.comments.stories_order)
    with store.reading() as tx:
        stories = tx.approved_for_article(slug)
        closed = tx.article_closed(slug)
    env = environment(config.site.templates)
    grouped = threads(stories)
    secret = config.comments.secret_key
    section = render_section(env, article, config.site, secret, grouped, closed=closed)
    text = text[:start] + section + text[stop:]
    if COUNT_BEGIN in text:  # a theme may show the count (article.stories.count_html) or not
        start, stop = _between(text, COUNT_BEGIN, COUNT_END, page)
        text = text[:start] + render_count(env, article, story_count(grouped)) + text[stop:]
    feed = site / config.site.feed_path(article)
    write_atomically(page, text)
    write_atomically(feed, render_feed(env, article, config.site, stories))
    return [page, feed]


@dataclass(frozen=True)
class PageUpdate:
    """One article after a moderation action: its page rewritten (and its feed), queued to be
    pushed to a public site elsewhere, or why neither."""

    slug: str
    page: Path | None = None
    feed: Path | None = None
    queued: bool = False
    problem: str = ""


class LivePages(Protocol):
    """What brings the public site up to date after moderation: the Republisher (a folder of
    this machine) or the push queue (a site elsewhere)."""

    def articles(self, store: Store, slugs: Iterable[str]) -> list[PageUpdate]: ...


@contextmanager
def republishing(lock: Path) -> Iterator[None]:
    """One republisher at a time, across threads and processes: each renders what the store
    holds once it has the lock, so an older render never replaces a newer one."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _unwritable(problem: OSError) -> str:
    where = problem.filename or "the site folder"
    return (
        f"{where} could not be written ({problem.strerror or problem}): give the service's "
        "user write access to the site folder; the page catches up at the next publish"
    )


class Republisher:
    """Rewrites, in one built site folder, what moderation changed: each affected article's
    stories section, count and feed, then the site's stories feed and the manifest. The folder
    is the live site itself on one server (output/ in development)."""

    def __init__(self, config: Config, site: Path) -> None:
        self.config = config
        self.site = Path(site)
        self.lock = config.state / "republish.lock"

    def articles(self, store: Store, slugs: Iterable[str]) -> list[PageUpdate]:
        """Each affected article brought up to date, in slug order; a page that is missing or
        cannot be written is said (the change itself is saved in the store either way)."""
        updates = []
        with republishing(self.lock):
            for slug in sorted(set(slugs)):
                try:
                    written = republish_article(store, self.config, self.site, slug)
                except NotBuilt as reason:
                    updates.append(PageUpdate(slug, problem=str(reason)))
                except OSError as problem:
                    updates.append(PageUpdate(slug, problem=_unwritable(problem)))
                else:
                    updates.append(PageUpdate(slug, page=written[0], feed=written[1]))
            try:
                self._site_wide(store)
            except OSError as problem:
                updates.append(PageUpdate(SITE_FEED, problem=_unwritable(problem)))
        return updates

    def _site_wide(self, store: Store) -> None:
        """The site's stories feed and the manifest, as a full build would write them now."""
        with store.reading() as tx:
            newest = tx.approved_newest(SITE_FEED_LIMIT)
            ids, updated = tx.approved_summary()
        titles = {}
        for slug in {story.article for story in newest}:
            found = _built_article(self.config, self.site, slug)
            if found is not None:
                titles[slug] = (found.title, found.url)
        env = environment(self.config.site.templates)
        feed = render_newest_feed(env, self.config.site, newest, updated, titles)
        write_atomically(self.site / SITE_FEED, feed)
        write_atomically(self.site / MANIFEST, manifest_text(ids))
