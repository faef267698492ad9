"""The Pelican plugin: approved stories in article pages, and the stories' Atom feeds.

Add "reader_stories.pelican_plugin" to PLUGINS, and ``{% include "stories/article.html" %}`` to
the theme's article.html (or place ``article.stories.section`` yourself). Stories are attached
after reading (not in a reader), so Pelican's content cache never serves stale stories. The one
module of the package that runs inside Pelican; it imports Pelican only in register().
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader

from reader_stories.config import SITE_FEED, Config, config_from_pelican
from reader_stories.live.manifest import MANIFEST, manifest_text
from reader_stories.pages.ahead import Source, StoriesAhead, write_feed
from reader_stories.pages.article_stories import ArticleStories, Rendering, stories_of
from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.published import ApprovedReader
from reader_stories.pages.section import ArticleRef, render_newest_feed
from reader_stories.pages.tally import tally
from reader_stories.pages.templates import PACKAGE_STATIC, PACKAGE_TEMPLATES, environment
from reader_stories.pages.windows import StoryWindows
from reader_stories.story_order import DEFAULT_ORDER, parse_order

log = logging.getLogger(__name__)

# Where the configuration of the running build, and what it read of the store, are kept
# between its signals.
CONFIG_KEY = "reader_stories_config"
BUILT_KEY = "reader_stories_built"
AHEAD_KEY = "reader_stories_ahead"


# Copied into the built site's theme folder (THEME_STATIC_DIR/stories/) for stories/article.html;
# stories.js loads the ALTCHA widget (altcha.min.js, MIT, its licence beside it) from there.
STATIC_FILES = ("stories.css", "stories.js", "altcha.min.js", "altcha.LICENSE.txt")


def register() -> None:
    from pelican import signals

    signals.generator_init.connect(add_templates)
    signals.content_object_init.connect(declare_stories)
    signals.article_generator_init.connect(start_ahead)
    signals.article_generator_pretaxonomy.connect(tally_ahead)
    signals.article_generator_finalized.connect(attach_stories)
    signals.content_written.connect(write_article_feed)
    signals.article_writer_finalized.connect(write_story_feeds)
    signals.article_writer_finalized.connect(copy_static)
    signals.finalized.connect(stop_ahead)


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


@dataclass
class BuiltStories:
    """What the stories pass after reading leaves for the build's end: the site's feed and the
    manifest, and the reader the pages use."""

    site_feed: str
    manifest: str
    reader: ApprovedReader


def start_ahead(generator: Any) -> None:
    """article_generator_init: before the articles are read, while the build holds little, the
    stories' worker is forked (pages/ahead.py), whether or not the content cache serves them."""
    stop_ahead()  # an earlier build of this process that failed before its pages were written
    settings = generator.settings
    ahead = None
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    if StoriesAhead.possible(len(files), settings.get("BUILD_PROCESSES")):
        config = build_config(generator)
        comments = config.comments
        source = Source(
            comments.database_url, config.site, comments.secret_key, generator.output_path
        )
        ahead = _running.ahead = StoriesAhead(source)
    generator.context[AHEAD_KEY] = ahead


def tally_ahead(generator: Any) -> None:
    """article_generator_pretaxonomy: the articles are read and listed, and other plugins'
    work over them comes next in this process, so the worker tallies the stories meanwhile."""
    ahead = generator.context.get(AHEAD_KEY)
    if ahead is not None:
        ahead.start_tally([article.slug for article in generator.articles])


class _Running:
    """The worker of the build running in this process, if it has one."""

    ahead: StoriesAhead | None = None


_running = _Running()


def stop_ahead(*_: Any) -> None:
    """finalized, and before a build starts its worker: no worker outlives its build, even one
    that failed (`invoke livereload` builds again in the same process)."""
    ahead, _running.ahead = _running.ahead, None
    if ahead is not None:
        ahead.close()


def declare_stories(content: Any) -> None:
    """content_object_init: ``article.stories`` (None until attached) on every article, as it
    is made, so CPython 3.11 shares the name among all articles (it stops adding shared names
    once many exist, and each article then carries a dict of its own, 1.3 KB more)."""
    from pelican.contents import Article

    if isinstance(content, Article) and not hasattr(content, "stories"):
        content.stories = None


def attach_stories(generator: Any) -> None:
    """Each article's stories (``article.stories``: its section and feed, read and rendered as
    its page is written or ahead, and its count), from the approved stories in the store, read
    a window of articles at a time."""
    config = build_config(generator)
    site = config.site
    env = environment(site.templates)
    reader = ApprovedReader(config.comments.database_url)
    closed = reader.closed()
    slugs = [article.slug for article in generator.articles]
    ahead: StoriesAhead | None = generator.context.get(AHEAD_KEY)
    counted = ahead.take_tally(slugs) if ahead is not None else None
    if counted is None:
        counted = tally(reader, slugs)
    rendering = Rendering(ahead, StoryWindows(reader, slugs), env, site, config.comments.secret_key)
    refs = [article_ref(article, config.comments.stories_order) for article in generator.articles]
    if ahead is not None:  # the articles whose pages are written, in that order
        written = zip(refs, generator.articles, strict=True)
        ahead.start_rendering([ref for ref, article in written if article.save_as])
    titles: dict[str, tuple[str, str]] = {}
    for article, ref in zip(generator.articles, refs, strict=True):
        count = counted.counts[article.slug]
        article.stories = ArticleStories(rendering, ref, count, article.slug in closed)
        titles[article.slug] = (article.title, article.url)
    site_feed = render_newest_feed(env, site, counted.newest, counted.updated, titles)
    generator.context[BUILT_KEY] = BuiltStories(site_feed, manifest_text(counted.ids), reader)


def write_article_feed(path: str, context: dict[str, Any]) -> None:
    """content_written: an article's page was written, so its stories feed is written beside
    it, from the stories its page showed (unless the stories' worker wrote both)."""
    stories = stories_of(context.get("article"))
    if stories is None:
        return  # not a listed article's page: a draft, a translation, any other file
    made = stories.feed_text()
    if made is not None:
        write_feed(Path(context["OUTPUT_PATH"]) / stories.feed, made)


def write_story_feeds(generator: Any, writer: Any = None) -> None:
    """The site's stories feed and the manifest, once every article's page and feed is written."""
    built = generator.context.get(BUILT_KEY)
    if built is None:
        return
    output = Path(generator.output_path)
    write_atomically(output / SITE_FEED, built.site_feed, durable=False)
    write_atomically(output / MANIFEST, built.manifest, durable=False)
    built.reader.close()
    stop_ahead()


def copy_static(generator: Any, writer: Any = None) -> None:
    """The stories' stylesheet and script, for themes that include stories/article.html."""
    folder = Path(generator.output_path) / generator.settings["THEME_STATIC_DIR"] / "stories"
    folder.mkdir(parents=True, exist_ok=True)
    for name in STATIC_FILES:
        shutil.copyfile(PACKAGE_STATIC / name, folder / name)
