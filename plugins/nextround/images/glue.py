"""Pelican glue for images and share cards: find, plan, and put the files into the built site.

Each article's and page's images are rewritten as soon as Pelican has read it, so a missing
image or missing alt text stops the build naming the file. The files themselves (resized copies
and share cards) are made once, kept in CACHE_PATH, and linked into the output at the end; a
large batch of new cards is drawn by a worker process while Pelican writes the pages.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from nextround.images import cards, markup, variants
from nextround.images.variants import ImageProblem, Raster, Variant

logger = logging.getLogger(__name__)

SIZED_FOLDER = "images/sized"
CARDS_FOLDER = "cards"
# Fewer new cards than this are drawn in the build's own process: a worker costs a start-up.
WORKER_BATCH = 40


@dataclass(frozen=True, slots=True)
class ShareCard:
    """What the article's Open Graph tags say about its card."""

    url: str
    width: int
    height: int
    alt: str
    type: str


class DrawnCard:
    """A card drawn for the article, which says the same as a ShareCard; its URL and text are
    made when a page asks (kept for 5,000 articles, they were 1 MiB)."""

    __slots__ = ("_article", "_site_name", "_siteurl", "name")
    width, height, type = cards.WIDTH, cards.HEIGHT, "image/jpeg"

    def __init__(self, article: Any, name: str, siteurl: str, site_name: str) -> None:
        self._article, self.name = article, name
        self._siteurl, self._site_name = siteurl, site_name

    @property
    def url(self) -> str:
        return f"{self._siteurl}/{CARDS_FOLDER}/{self.name}"

    @property
    def alt(self) -> str:
        title, category = _card_text(self._article)
        where = f" in {category}" if category else ""
        return f"{title}: an article{where} on {self._site_name}"


def _card_text(article: Any) -> tuple[str, str]:
    """The title as text and the category's name, as the card shows them."""
    title = Markup(article.title).striptags()
    return title, article.category.name if getattr(article, "category", None) else ""


@dataclass
class BuildImages:
    """What one build needs made: reset when a build starts."""

    described: dict[Path, Raster | variants.Vector] = field(default_factory=dict)
    sized: dict[str, Variant] = field(default_factory=dict)
    cards: set[str] = field(default_factory=set)
    drawing: list[Future[None]] = field(default_factory=list)
    pool: ProcessPoolExecutor | None = None
    # The running build's settings: contents made with other settings (outside a build, or by
    # another site in the same process) are left alone.
    settings: dict[str, Any] | None = None


_build = BuildImages()


def start(pelican: Any) -> None:
    """initialized: a new build, with nothing planned yet."""
    global _build
    _build = BuildImages(settings=pelican.settings)


def _describe(file: Path) -> Raster | variants.Vector:
    if file not in _build.described:
        described = variants.describe(file)
        if isinstance(described, Raster) and described.large:
            logger.warning(described.large)
        _build.described[file] = described
    return _build.described[file]


def rewrite_images(content: Any) -> None:
    """content_object_init: the article's or page's <img> tags become sized pictures."""
    from pelican.contents import Article, Page

    html = getattr(content, "_content", None)
    if not isinstance(content, Article | Page) or not isinstance(html, str):
        return
    if content.settings is not _build.settings:
        return
    settings = content.settings
    root = Path(settings["PATH"])
    source_dir = Path(content.source_path).parent
    site_root = settings.get("SITE_ROOT", "")
    siteurl = settings.get("SITEURL", "")

    def replace(attrs: dict[str, str | None], lazy: bool) -> str | None:
        src = attrs.get("src") or ""
        if src.startswith("data:"):
            return None
        located = markup.locate(src, root, source_dir, site_root, siteurl)
        described = _describe(located.file)
        if isinstance(described, variants.Vector):
            return markup.vector(attrs, described, f"{site_root}/{located.url_path}", lazy)
        for variant in described.variants:
            _build.sized[variant.name] = variant
        return markup.picture(attrs, described, f"{site_root}/{SIZED_FOLDER}", lazy)

    content._content = markup.rewrite(html, replace)


def plan_cards(generator: Any) -> None:
    """article_generator_finalized: give every shareable article its card (drafts are not)."""
    settings = generator.settings
    siteurl = settings.get("SITEURL", "")
    cache = Path(settings["CACHE_PATH"]) / CARDS_FOLDER
    cache_folder = str(cache)  # not a Path per card: pathlib interns every name it parses
    missing: list[tuple[cards.CardText, Path]] = []
    for article in [
        *generator.articles,
        *generator.translations,
        *generator.hidden_articles,
        *generator.hidden_translations,
    ]:
        title, category = _card_text(article)
        own = getattr(article, "card", None)
        if isinstance(own, str):
            article.card = _own_card(article, own, title)
            continue
        text = cards.CardText(title, category, settings.get("SITENAME", ""))
        name = f"{text.digest}.jpg"
        article.card = DrawnCard(article, name, siteurl, text.site_name)
        if name not in _build.cards and not os.path.exists(os.path.join(cache_folder, name)):
            missing.append((text, cache / name))
        _build.cards.add(name)
    if missing:
        cache.mkdir(parents=True, exist_ok=True)
        _draw(missing)


def _own_card(article: Any, written: str, title: str) -> ShareCard:
    """A `Card:` line names an image of the content to use instead of a drawn card."""
    settings = article.settings
    try:
        located = markup.locate(
            written,
            Path(settings["PATH"]),
            Path(article.source_path).parent,
            settings.get("SITE_ROOT", ""),
            settings.get("SITEURL", ""),
        )
        described = _describe(located.file)
    except ImageProblem as problem:
        raise ImageProblem(f"{article.source_path}: Card: {problem}") from None
    if not isinstance(described, Raster):
        raise ImageProblem(
            f"{article.source_path}: Card: {written} is an SVG, which link previews do not "
            "show; use a PNG or JPEG (1200x630 suits every network)."
        )
    mime = "image/png" if located.file.suffix.lower() == ".png" else "image/jpeg"
    url = f"{settings.get('SITEURL', '')}/{located.url_path}"
    return ShareCard(url, described.width, described.height, title, mime)


def _draw(jobs: list[tuple[cards.CardText, Path]]) -> None:
    if len(jobs) < WORKER_BATCH or (os.cpu_count() or 1) < 2:
        cards.save_all(jobs)
        return
    # Spawned, not forked: the build process holds threads and a large heap.
    _build.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    step = max(WORKER_BATCH, len(jobs) // 8)
    for at in range(0, len(jobs), step):
        _build.drawing.append(_build.pool.submit(cards.save_all, jobs[at : at + step]))


def finish(pelican: Any) -> None:
    """finalized: every planned file into the built site."""
    settings = pelican.settings
    output = Path(settings["OUTPUT_PATH"])
    cache = Path(settings["CACHE_PATH"])
    try:
        for drawing in _build.drawing:
            drawing.result()
    finally:
        if _build.pool is not None:
            _build.pool.shutdown()
    for variant in _build.sized.values():
        variants.publish(variant, cache / "images", output / SIZED_FOLDER)
    for name in _build.cards:
        variants.link_or_copy(cache / CARDS_FOLDER / name, output / CARDS_FOLDER / name)
    _build.settings = None
