"""Check a built site: every internal link, anchor and asset resolves; feeds and sitemap parse."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser
from lxml import etree, html

_LINK_ATTRIBUTES = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"))
STORY_FEED = "stories.atom.xml"
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class Problem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def _html_files(site: Path) -> Iterator[Path]:
    for path in sorted(site.rglob("*.html")):
        if "pagefind" not in path.relative_to(site).parts:
            yield path


def resolve(site: Path, url_path: str) -> Path | None:
    """The file a URL path is served from, as a static host would pick it."""
    relative = unquote(url_path).lstrip("/")
    candidate = site / relative
    if url_path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _internal_path(url: str, siteurl: str, site_root: str) -> str | None:
    """The path part of an internal URL, or None for external, mailto, data: and the like."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        origin = urlsplit(siteurl)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            return None
    elif not parts.path.startswith("/"):
        return None
    path = parts.path or "/"
    if site_root and path.startswith(site_root):
        path = path[len(site_root) :] or "/"
    return path


class _IdIndex:
    """Element ids per page, parsed once each, to check #fragment links."""

    def __init__(self) -> None:
        self._ids: dict[Path, set[str]] = {}

    def ids(self, page: Path) -> set[str]:
        if page not in self._ids:
            tree = html.fromstring(page.read_bytes())
            self._ids[page] = {str(value) for value in tree.xpath("//@id")}
        return self._ids[page]


def _urls(tree: Any) -> Iterator[str]:
    """Every URL a page makes the browser fetch or follow: links, scripts, images (each width
    of a srcset too) and the share card a link preview shows."""
    for tag, attribute in _LINK_ATTRIBUTES:
        for element in tree.iter(tag):
            if url := element.get(attribute):
                yield url
    for tag in ("img", "source"):
        for element in tree.iter(tag):
            for candidate in (element.get("srcset") or "").split(","):
                if candidate.strip():
                    yield candidate.split()[0]
    for meta in tree.iter("meta"):
        if meta.get("property") == "og:image" and (url := meta.get("content")):
            yield url


def check_links(site: Path, siteurl: str, site_root: str = "") -> list[Problem]:
    """Every internal href/src in every page points at a file that exists, and at a real anchor."""
    problems: list[Problem] = []
    ids = _IdIndex()
    for page in _html_files(site):
        name = str(page.relative_to(site))
        tree = html.fromstring(page.read_bytes())
        for url in _urls(tree):
            if url.startswith("#"):
                if len(url) > 1 and url[1:] not in ids.ids(page):
                    problems.append(Problem(name, f"anchor {url} is not on this page"))
                continue
            path = _internal_path(url, siteurl, site_root)
            if path is None:
                continue
            target = resolve(site, path)
            if target is None:
                problems.append(Problem(name, f"link to {url} does not resolve"))
                continue
            fragment = urlsplit(url).fragment
            if fragment and target.suffix == ".html" and fragment not in ids.ids(target):
                problems.append(Problem(name, f"link to {url}: no element with that id"))
    return problems


def check_feeds(site: Path) -> list[Problem]:
    """Every Atom feed parses cleanly; article feeds have entries (a story feed may be empty)."""
    problems: list[Problem] = []
    feeds = sorted(site.rglob("*.atom.xml"))
    if not feeds:
        problems.append(Problem("feeds", "no Atom feed was built"))
    for feed in feeds:
        name = str(feed.relative_to(site))
        parsed = feedparser.parse(feed.read_bytes())
        if parsed.bozo:
            problems.append(Problem(name, f"feed does not parse: {parsed.bozo_exception}"))
        elif not parsed.entries and feed.name != STORY_FEED:
            problems.append(Problem(name, "feed has no entries"))
    return problems


def check_sitemap(site: Path, siteurl: str, site_root: str = "") -> list[Problem]:
    """sitemap.xml is well-formed and every location in it is a page of this site."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return [Problem("sitemap.xml", "missing")]
    try:
        tree = etree.parse(str(sitemap))
    except etree.XMLSyntaxError as exc:
        return [Problem("sitemap.xml", f"not well-formed XML: {exc}")]
    problems = []
    for loc in tree.iter(f"{_SITEMAP_NS}loc"):
        url = (loc.text or "").strip()
        path = _internal_path(url, siteurl, site_root)
        if path is None or not url.startswith(siteurl):
            problems.append(Problem("sitemap.xml", f"{url} is not an absolute URL of {siteurl}"))
        elif resolve(site, path) is None:
            problems.append(Problem("sitemap.xml", f"{url} does not resolve"))
    return problems


def check_site(site: Path, siteurl: str, site_root: str = "") -> list[Problem]:
    """All checks; an empty list means the site is sound."""
    found: Iterable[Problem] = (
        *check_links(site, siteurl, site_root),
        *check_feeds(site),
        *check_sitemap(site, siteurl, site_root),
    )
    return list(found)
