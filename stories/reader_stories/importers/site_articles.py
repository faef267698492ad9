"""Which slugs are articles of this site, and which are pages, as the built site shows them.

Pelican decides an article's slug (its Slug metadata, its title, its file name, drafts left
out), so the import asks the build rather than guessing from the content folder: an article is
a page at ARTICLE_SAVE_AS whose HTML holds the stories section, which only articles get; a page
is a file at PAGE_SAVE_AS. The moderation service finds an article's page the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader_stories.config import Site
from reader_stories.errors import StoriesError
from reader_stories.pages.section import SECTION_BEGIN

_FIELD_RE = re.compile(r"\{[^}]*\}")


class NoBuiltSite(StoriesError):
    """The built site is missing or has no article pages, so no address can be checked."""


@dataclass(frozen=True)
class SiteArticles:
    """The site's article and page slugs, looked up without regard to case."""

    articles: frozenset[str]
    pages: frozenset[str] = frozenset()

    @classmethod
    def of(cls, articles: Iterable[str], pages: Iterable[str] = ()) -> SiteArticles:
        return cls(frozenset(articles), frozenset(pages))

    def article(self, slug: str) -> str | None:
        """The article's slug as the site spells it, or None."""
        return _find(self.articles, slug)

    def page(self, slug: str) -> str | None:
        return _find(self.pages, slug)


def _find(slugs: frozenset[str], wanted: str) -> str | None:
    if wanted in slugs:
        return wanted
    folded = wanted.casefold()
    return next((slug for slug in sorted(slugs) if slug.casefold() == folded), None)


def _slugs_at(output: Path, save_as: str) -> dict[str, Path]:
    """Every slug whose file exists at the SAVE_AS pattern ({slug}, and any other {field})."""
    if "{slug}" not in save_as:
        return {}
    parts = _FIELD_RE.split(save_as)
    fields = _FIELD_RE.findall(save_as)
    pattern = ""
    for text, name in zip(parts, [*fields, None], strict=True):
        pattern += re.escape(text)
        if name == "{slug}":
            pattern += "(?P<slug>[^/]+)"
        elif name is not None:
            pattern += "[^/]+"
    matcher = re.compile(pattern)
    found: dict[str, Path] = {}
    for path in output.glob(_FIELD_RE.sub("*", save_as)):
        match = matcher.fullmatch(path.relative_to(output).as_posix())
        if match and path.is_file():
            found.setdefault(match["slug"], path)
    return found


def _has_stories_section(page: Path) -> bool:
    try:
        return SECTION_BEGIN in page.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def built_site_articles(site: Site) -> SiteArticles:
    """The articles and pages of the built site (OUTPUT_PATH); NoBuiltSite when it has none."""
    output = site.output
    articles = {
        slug
        for slug, page in _slugs_at(output, site.article_save_as).items()
        if _has_stories_section(page)
    }
    if not articles:
        raise NoBuiltSite(
            f"The built site ({output}) has no article pages, so the import cannot tell which "
            "old addresses are articles here. Build the site first (invoke build), then import."
        )
    pages = set(_slugs_at(output, site.page_save_as)) - articles
    return SiteArticles.of(articles, pages)
