"""Publish an approval at once: rewrite one article's stories section and feed in the built site.

A full build renders the same section with the same function (section.py), so the page this
writes is byte for byte what the next `invoke build` writes. Pages that only show counts (lists,
tags) catch up at the next full build.
"""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.section import (
    COUNT_BEGIN,
    COUNT_END,
    SECTION_BEGIN,
    SECTION_END,
    ArticleRef,
    SiteRef,
    render_count,
    render_feed,
    render_section,
    story_count,
)
from reader_stories.pages.templates import environment
from reader_stories.settings import build_settings
from reader_stories.store import Store
from reader_stories.threads import threads


class NotBuilt(Exception):
    """The article's page is not in the built site (or has no stories section) yet."""


@dataclass(frozen=True)
class SiteFiles:
    """What the fast path needs of the Pelican settings, read without importing Pelican."""

    output: Path
    article_save_as: str
    templates: Path
    site: SiteRef

    @classmethod
    def from_settings_file(
        cls, settings_file: Path, environ: dict[str, str], output: Path | None = None
    ) -> SiteFiles:
        settings_file = Path(settings_file).resolve()
        root = settings_file.parent
        values: dict[str, Any] = runpy.run_path(str(settings_file))
        comments = build_settings(values.get("COMMENTS", {}), environ, root, values["SITEURL"])
        site = SiteRef(
            siteurl=values["SITEURL"],
            site_root=values.get("SITE_ROOT", ""),
            sitename=values["SITENAME"],
            intake_url=comments.intake_url,
            secret_key=comments.secret_key,
        )
        return cls(
            output=Path(output) if output else root / values.get("OUTPUT_PATH", "output"),
            article_save_as=values.get("ARTICLE_SAVE_AS", "{slug}.html"),
            templates=root / values.get("THEME", "theme") / "templates",
            site=site,
        )


def _between(text: str, begin: str, end: str, page: Path) -> tuple[int, int]:
    start = text.find(begin)
    stop = text.find(end, start)
    if start < 0 or stop < 0:
        raise NotBuilt(f"{page} has no {begin} ... {end} part; rebuild the site once.")
    return start, stop + len(end)


class _SectionAttributes(HTMLParser):
    """The attributes of the stories <section>; the standard library's parser keeps the
    approval command from loading lxml, a tenth of its start-up."""

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


def republish_article(store: Store, files: SiteFiles, slug: str) -> list[Path]:
    """Rewrite the article page's count and stories section, and its stories feed."""
    page = files.output / files.article_save_as.format(slug=slug)
    if not page.is_file():
        raise NotBuilt(f"{page} does not exist; build the site (invoke build) to publish it.")
    text = page.read_text(encoding="utf-8")
    start, stop = _between(text, SECTION_BEGIN, SECTION_END, page)
    article = _article_ref(text[start:stop], slug)
    stories = store.approved_for_article(slug)
    env = environment(files.templates)
    grouped = threads(stories)
    text = text[:start] + render_section(env, article, files.site, grouped) + text[stop:]
    count = story_count(grouped)
    start, stop = _between(text, COUNT_BEGIN, COUNT_END, page)
    text = text[:start] + render_count(env, article, count) + text[stop:]
    feed = files.output / files.site.feed_path(article)
    write_atomically(page, text)
    write_atomically(feed, render_feed(env, article, files.site, stories))
    return [page, feed]
