"""Republish after moderation: rewrite one article's stories section, count and feed in place.

A full build renders the same section with the same function (section.py), so the page this
writes is byte for byte what the next `invoke build` writes. Pages that only show counts (lists,
tags) catch up at the next full build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from reader_stories.config import Config
from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.section import (
    COUNT_BEGIN,
    COUNT_END,
    SECTION_BEGIN,
    SECTION_END,
    ArticleRef,
    render_count,
    render_feed,
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


class _SectionAttributes(HTMLParser):
    """The attributes of the stories <section>; the standard library's parser keeps the
    approval command from loading lxml, a large part of its start-up."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and not self.found:
            self.found = {name: value or "" for name, value in attrs}


def _article_ref(section_html: str, slug: str) -> ArticleRef:
    parser = _SectionAttributes()
    parser.feed(section_html[: section_html.find(">", section_html.find("<section")) + 1])
    parser.close()
    attributes = parser.found
    return ArticleRef(
        slug=slug,
        title=attributes.get("data-article-title", ""),
        url=attributes.get("data-article-url", ""),
        date=datetime.fromisoformat(attributes.get("data-article-date", "")),
    )


def republish_article(store: Store, config: Config, site: Path, slug: str) -> list[Path]:
    """Rewrite the article page's count and stories section, and its stories feed, in `site`
    (the built site folder: output/ in development)."""
    page = site / config.site.article_save_as.format(slug=slug)
    if not page.is_file():
        raise NotBuilt(f"{page} does not exist; build the site (invoke build) to publish it.")
    text = page.read_text(encoding="utf-8")
    start, stop = _between(text, SECTION_BEGIN, SECTION_END, page)
    article = _article_ref(text[start:stop], slug)
    stories = store.approved_for_article(slug)
    env = environment(config.site.templates)
    grouped = threads(stories)
    section = render_section(env, article, config.site, config.comments.secret_key, grouped)
    text = text[:start] + section + text[stop:]
    if COUNT_BEGIN in text:  # a theme may show the count (article.story_count_html) or not
        start, stop = _between(text, COUNT_BEGIN, COUNT_END, page)
        text = text[:start] + render_count(env, article, story_count(grouped)) + text[stop:]
    feed = site / config.site.feed_path(article)
    write_atomically(page, text)
    write_atomically(feed, render_feed(env, article, config.site, stories))
    return [page, feed]


@dataclass(frozen=True)
class PageUpdate:
    """One article after a moderation action: its page rewritten, or why not."""

    slug: str
    page: Path | None = None
    problem: str = ""


class Republisher:
    """Rewrites the stories part of article pages in one built site folder, as moderation
    changes them: output/ in development."""

    def __init__(self, config: Config, site: Path) -> None:
        self.config = config
        self.site = Path(site)

    def articles(self, store: Store, slugs: Iterable[str]) -> list[PageUpdate]:
        """Each affected article brought up to date, in slug order; a missing page is said."""
        updates = []
        for slug in sorted(set(slugs)):
            try:
                written = republish_article(store, self.config, self.site, slug)
            except NotBuilt as reason:
                updates.append(PageUpdate(slug, problem=str(reason)))
            else:
                updates.append(PageUpdate(slug, page=written[0]))
        return updates
