"""The Pelican plugin: approved stories in article pages, and the stories' Atom feeds.

Add "reader_stories.pelican_plugin" to PLUGINS, and ``{% include "stories/article.html" %}`` to
the theme's article.html (or place ``article.stories_section`` yourself). Stories are attached
after reading (not in a reader), so Pelican's content cache never serves stale stories. The one
module of the package that runs inside Pelican; it imports Pelican only in register().
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader

from reader_stories.config import SITE_FEED, Config, config_from_pelican
from reader_stories.live.manifest import MANIFEST, manifest_text
from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.section import (
    ArticleRef,
    render_count,
    render_feed,
    render_section,
    render_site_feed,
    story_count,
)
from reader_stories.pages.templates import PACKAGE_STATIC, PACKAGE_TEMPLATES, environment
from reader_stories.store.approved import approved_for_build, closed_for_build
from reader_stories.story_order import DEFAULT_ORDER, parse_order
from reader_stories.threads import group_by_article, threads

log = logging.getLogger(__name__)

# Where the configuration of the running build is kept between its two signals.
CONFIG_KEY = "reader_stories_config"
# Up to this many articles (one article read again after an edit), the build asks the store for
# their stories only, not for every story of the site.
FEW_ARTICLES = 64


# Copied into the built site's theme folder (THEME_STATIC_DIR/stories/) for stories/article.html;
# stories.js loads the ALTCHA widget (altcha.min.js, MIT, its licence beside it) from there.
STATIC_FILES = ("stories.css", "stories.js", "altcha.min.js", "altcha.LICENSE.txt")


def register() -> None:
    from pelican import signals

    signals.generator_init.connect(add_templates)
    signals.article_generator_finalized.connect(attach_stories)
    signals.article_writer_finalized.connect(write_story_feeds)
    signals.article_writer_finalized.connect(copy_static)


def add_templates(generator: Any) -> None:
    """The package's templates, after the theme's own, so a theme can include them (and replace
    any of them with a file of the same name)."""
    loader = generator.env.loader
    if isinstance(loader, ChoiceLoader):
        loader.loaders.append(FileSystemLoader(str(PACKAGE_TEMPLATES)))


def article_ref(article: Any, site_order: str = DEFAULT_ORDER.value) -> ArticleRef:
    return ArticleRef(
        article.slug, article.title, article.url, article.date, stories_order(article, site_order)
    )


def stories_order(article: Any, site_order: str) -> str:
    """The article's `Stories-Order:` metadata, or the site's order. An unknown value is logged
    as an error, which fails this site's build, and the site's order is used."""
    metadata = getattr(article, "metadata", {}) or {}
    given = metadata.get("stories-order", metadata.get("stories_order"))
    if given is None:
        return site_order
    where = f"Stories-Order in {getattr(article, 'source_path', article.slug)}"
    try:
        return parse_order(given, where).value
    except ValueError as wrong:
        log.error("%s", wrong)
        return site_order


def build_config(generator: Any) -> Config:
    """The configuration of this build, made once from Pelican's settings and kept with it."""
    config = generator.context.get(CONFIG_KEY)
    if config is None:
        config = generator.context[CONFIG_KEY] = config_from_pelican(generator.settings)
    return config


class StoriesSection:
    """An article's stories part, rendered when its page is written (a template outputs it
    through ``__html__``) rather than when stories are attached: held for every article at
    once, the rendered parts cost more memory than the rest of a large build."""

    __slots__ = ("_render",)

    def __init__(self, render: Callable[[], str]) -> None:
        self._render = render

    def __html__(self) -> str:
        return self._render()

    def __str__(self) -> str:
        return self._render()


def attach_stories(generator: Any) -> None:
    """Each article's stories section (rendered as its page is written) and count, from the
    approved stories in the store."""
    config = build_config(generator)
    site, secret = config.site, config.comments.secret_key
    env = environment(site.templates)
    few = len(generator.articles) <= FEW_ARTICLES
    slugs = [article.slug for article in generator.articles] if few else None
    published = approved_for_build(config.comments.database_url, slugs)
    grouped = group_by_article(published)
    closed = closed_for_build(config.comments.database_url)
    for article in generator.articles:
        ref = article_ref(article, config.comments.stories_order)
        article_threads = threads(grouped.get(article.slug, []))
        shut = article.slug in closed
        # Rendered with autoescape, by the package, when the page is written.
        article.stories_section = StoriesSection(
            partial(render_section, env, ref, site, secret, article_threads, closed=shut)
        )
        article.story_count = story_count(article_threads)
        article.story_count_html = render_count(env, ref, article.story_count)
        article.stories_feed = site.feed_path(ref)
    generator.context["approved_stories"] = published


def write_story_feeds(generator: Any, writer: Any = None) -> None:
    """One Atom feed of stories per article, and one for the whole site."""
    config = build_config(generator)
    site = config.site
    env = environment(site.templates)
    published = generator.context.get("approved_stories", [])
    grouped = group_by_article(published)
    output = Path(generator.output_path)
    titles = {}
    for article in generator.articles:
        ref = article_ref(article)
        titles[article.slug] = (article.title, article.url)
        feed = render_feed(env, ref, site, grouped.get(article.slug, []))
        write_atomically(output / site.feed_path(ref), feed, durable=False)
    write_atomically(
        output / SITE_FEED, render_site_feed(env, site, published, titles), durable=False
    )
    ids = [story.id for story in published]
    write_atomically(output / MANIFEST, manifest_text(ids), durable=False)


def copy_static(generator: Any, writer: Any = None) -> None:
    """The stories' stylesheet and script, for themes that include stories/article.html."""
    folder = Path(generator.output_path) / generator.settings["THEME_STATIC_DIR"] / "stories"
    folder.mkdir(parents=True, exist_ok=True)
    for name in STATIC_FILES:
        shutil.copyfile(PACKAGE_STATIC / name, folder / name)
