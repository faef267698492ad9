"""From the address a comment was on to an article of this site: the usual forms by themselves,
the rest from the owner's map file (``--map FILE``).

By itself, an address maps to the article whose slug is its last path segment, whatever the
case, the old domain, a trailing slash, ``.html``, ``index.html`` or a dated path before it
(``https://old.example/2021/05/17/Asking-For-A-Raise/`` is ``asking-for-a-raise``). A WordPress
link (``/?p=123``, ``?page_id=7``) names no slug, so only the map places it.

A map file has one ``OLD NEW`` pair a line: OLD is an address (full, or its path and query),
a pattern with ``*`` (any run of characters), or a query alone (``?p=123``, matching it on any
path); NEW is an article's slug. Blank lines and lines starting with ``#`` are skipped.
Addresses are compared as the automatic mapping compares them: domain ignored, path in lower
case, without a trailing slash, ``index.html`` or ``.html``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from reader_stories.errors import StoriesError
from reader_stories.importers.site_articles import SiteArticles

_INDEX_PAGES = ("index.html", "index.htm")
_PAGE_SUFFIXES = (".html", ".htm")
WORDPRESS_KEYS = frozenset({"p", "page_id"})


class MapError(StoriesError):
    """A map file that cannot be used, with its line and what to write instead."""


@dataclass(frozen=True)
class Place:
    """Where a comment's address leads: an article, a page, or nowhere (slug None)."""

    slug: str | None
    page: bool = False
    mapped: bool = False  # by a line of the map file rather than by itself
    wordpress: bool = False  # a ?p= link, which only the map can place


def address_key(address: str) -> str:
    """The comparable form of an address: '/2021/05/slug?p=1' with the domain, a trailing
    slash, index.html and .html gone and the path in lower case."""
    parts = urlsplit(address.strip())
    path = unquote(parts.path).lower()
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[-1] in _INDEX_PAGES:
        segments.pop()
    if segments:
        for suffix in _PAGE_SUFFIXES:
            if segments[-1].endswith(suffix) and len(segments[-1]) > len(suffix):
                segments[-1] = segments[-1].removesuffix(suffix)
                break
    key = "/" + "/".join(segments) if segments else ""
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return f"{key}?{urlencode(query)}" if query else key


def _query_of(key: str) -> str:
    return key.partition("?")[2]


@dataclass
class UrlMap:
    """The owner's map: exact addresses, queries alone, then patterns in the file's order."""

    exact: dict[str, str] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)
    patterns: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.exact) + len(self.queries) + len(self.patterns)

    def lookup(self, address: str) -> str | None:
        key = address_key(address)
        if key in self.exact:
            return self.exact[key]
        query = _query_of(key)
        if query and query in self.queries:
            return self.queries[query]
        return next((slug for pattern, slug in self.patterns if fnmatchcase(key, pattern)), None)


_LINE_RE = re.compile(r"^(\S+)\s+(?:->\s+)?(\S+)$")


def read_map(path: Path, site: SiteArticles) -> UrlMap:
    """The map in ``path``; MapError names the line of anything that cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MapError(f"{path}: no such map file.") from None
    except UnicodeDecodeError:
        raise MapError(f"{path}: not UTF-8 text; save the map as UTF-8.") from None
    url_map = UrlMap()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE_RE.match(line)
        if match is None:
            raise MapError(
                f"{path}, line {number}: write one old address and one slug, e.g. "
                f"'/?p=123 asking-for-a-raise', not {line!r}."
            )
        old, new = match.groups()
        slug = site.article(new)
        if slug is None:
            kind = "a page, not an article" if site.page(new) else "no article of this site"
            raise MapError(f"{path}, line {number}: {new!r} is {kind}; map to an article's slug.")
        if old.startswith("?"):
            url_map.queries[_query_of(address_key(old))] = slug
        elif "*" in old:
            url_map.patterns.append((address_key(old), slug))
        else:
            url_map.exact[address_key(old)] = slug
    return url_map


def place(address: str, site: SiteArticles, url_map: UrlMap) -> Place:
    """Where the comments of ``address`` go: the map first, then the address's last segment."""
    mapped = url_map.lookup(address)
    if mapped is not None:
        return Place(mapped, mapped=True)
    key = address_key(address)
    path, _, query = key.partition("?")
    if query and WORDPRESS_KEYS & {name for name, _ in parse_qsl(query)}:
        return Place(None, wordpress=True)
    last = path.rsplit("/", 1)[-1]
    if not last:
        return Place(None)
    if (slug := site.article(last)) is not None:
        return Place(slug)
    if (slug := site.page(last)) is not None:
        return Place(slug, page=True)
    return Place(None)
