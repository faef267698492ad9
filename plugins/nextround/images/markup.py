"""Turn the <img> tags Markdown writes into responsive, sized, lazily loaded images.

`![A chart of ...](images/pipeline.svg)` and `{static}` links are found in an article's HTML and
rewritten: a raster original becomes a <picture> offering AVIF and WebP copies at several widths
with a JPEG or PNG fallback; every image gets the width and height that keep the page from
shifting while it loads; images after the first screen load only when the reader nears them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from nextround.images.variants import MODERN, ImageProblem, Raster, Variant, Vector

IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]*>")
# The column is 40rem wide; below that the image spans the screen less the page's margins.
SIZES = "(min-width: 44rem) 40rem, calc(100vw - 2rem)"
# An image with less text than this before it is probably on the first screen: it loads at once.
FIRST_SCREEN_CHARACTERS = 600
THIRD_PARTY = ("http://", "https://", "//")


@dataclass(frozen=True)
class Located:
    """Where an <img>'s src points: a file of the site's content and its URL path."""

    file: Path
    url_path: str  # as written in the site, below SITE_ROOT, e.g. "images/chart.svg"


class _AttributeReader(HTMLParser):
    """Collects the attributes of the tags it is fed, unescaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.update(attrs)

    handle_startendtag = handle_starttag


def attributes(tag: str) -> dict[str, str | None]:
    """An <img> tag's attributes, unescaped, as the standard library's parser reads them."""
    reader = _AttributeReader()
    reader.feed(tag)
    reader.close()
    return reader.found


def locate(src: str, content_root: Path, source_dir: Path, site_root: str, siteurl: str) -> Located:
    """The content file an image's src names, the ways Pelican authors write it."""
    if src.startswith(siteurl + "/") and siteurl:
        src = src[len(siteurl) :]
    if src.startswith(THIRD_PARTY):
        raise ImageProblem(
            f'the image "{src}" is on another site, and this site\'s pages make no requests to '
            "other sites. Save it under content/images/ and write images/NAME instead."
        )
    path = src.split("?", 1)[0].split("#", 1)[0]
    for marker in ("{static}", "{attach}", "|static|", "|attach|"):
        if path.startswith(marker):
            path = path[len(marker) :]
            file = content_root / path.lstrip("/") if path.startswith("/") else source_dir / path
            break
    else:
        if path.startswith("/"):
            local = path[len(site_root) :] if site_root and path.startswith(site_root) else path
            file = content_root / local.lstrip("/")
        else:
            file = content_root / path
            if not file.exists() and (source_dir / path).exists():
                file = source_dir / path
    file = file.resolve()
    if not file.is_file():
        raise ImageProblem(f'the image "{src}" was not found: there is no file {file}.')
    try:
        url_path = file.relative_to(content_root.resolve()).as_posix()
    except ValueError as exc:
        raise ImageProblem(f'the image "{src}" is outside the content folder ({file}).') from exc
    return Located(file, url_path)


def _srcset(variants: list[Variant], prefix: str) -> str:
    return ", ".join(f"{prefix}/{v.name} {v.width}w" for v in variants)


def _common(attrs: dict[str, str | None], width: int, height: int, lazy: bool) -> str:
    alt = escape(attrs.get("alt") or "")
    title = attrs.get("title")
    extra = f' title="{escape(title)}"' if title else ""
    loading = ' loading="lazy"' if lazy else ""
    return f'alt="{alt}"{extra} width="{width}" height="{height}"{loading} decoding="async"'


def picture(attrs: dict[str, str | None], raster: Raster, prefix: str, lazy: bool) -> str:
    """A <picture> for a raster original; `prefix` is the URL of the sized copies' folder."""
    sources = "".join(
        f'<source type="{mime}" srcset="{_srcset(raster.of_format(format), prefix)}" '
        f'sizes="{SIZES}">'
        for format, mime in MODERN
    )
    fallback = raster.of_format(raster.fallback)
    largest = fallback[-1]
    return (
        f"<picture>{sources}"
        f'<img src="{prefix}/{largest.name}" srcset="{_srcset(fallback, prefix)}" '
        f'sizes="{SIZES}" {_common(attrs, largest.width, largest.height, lazy)}>'
        "</picture>"
    )


def vector(attrs: dict[str, str | None], svg: Vector, url: str, lazy: bool) -> str:
    return f'<img src="{escape(url)}" {_common(attrs, svg.width, svg.height, lazy)}>'


def rewrite(html: str, replace: Callable[[dict[str, str | None], bool], str | None]) -> str:
    """Each <img> in `html` passed to `replace` with its attributes and whether it is below the
    first screen; a None answer keeps the tag as it was. Missing alt text is refused."""
    if "<img" not in html and "<IMG" not in html:
        return html
    parts: list[str] = []
    end = 0
    text_before = 0
    for match in IMG_RE.finditer(html):
        attrs = attributes(match.group(0))
        src = attrs.get("src") or ""
        if not (attrs.get("alt") or "").strip():
            raise ImageProblem(
                f'the image "{src}" has no alt text. Say what it shows between the brackets: '
                f"![A chart of applications sent and answered]({src})."
            )
        text_before += len(TAG_RE.sub("", html[end : match.start()]))
        lazy = text_before > FIRST_SCREEN_CHARACTERS or end > 0
        new = replace(attrs, lazy)
        parts.append(html[end : match.start()])
        parts.append(match.group(0) if new is None else new)
        end = match.end()
    parts.append(html[end:])
    return "".join(parts)
