"""Pelican glue for reader stories: put approved stories into article pages and write feeds.

Attached after reading (not in a reader), so Pelican's content cache never serves stale stories.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.section import (
    ArticleRef,
    SiteRef,
    render_count,
    render_feed,
    render_section,
    render_site_feed,
    story_count,
)
from reader_stories.pages.templates import environment
from reader_stories.settings import CommentsSettings, build_settings
from reader_stories.store.approved import approved_for_build
from reader_stories.threads import group_by_article, threads

SITE_FEED = "feeds/stories.atom.xml"


def comments_settings(settings: dict[str, Any]) -> CommentsSettings:
    """The COMMENTS settings of this build; relative paths are taken from the project folder."""
    root = Path(settings["PATH"]).resolve().parent
    return build_settings(settings.get("COMMENTS", {}), os.environ, root, settings["SITEURL"])


def site_ref(settings: dict[str, Any], comments: CommentsSettings) -> SiteRef:
    return SiteRef(
        siteurl=settings["SITEURL"],
        site_root=settings.get("SITE_ROOT", ""),
        sitename=settings["SITENAME"],
        intake_url=comments.intake_url,
        secret_key=comments.secret_key,
    )


def templates_folder(settings: dict[str, Any]) -> Path:
    return Path(settings["THEME"]) / "templates"


def article_ref(article: Any) -> ArticleRef:
    return ArticleRef(article.slug, article.title, article.url, article.date)


def attach_stories(generator: Any) -> None:
    """Render each article's stories section and count from the approved stories in the store."""
    settings = generator.settings
    comments = comments_settings(settings)
    site = site_ref(settings, comments)
    env = environment(templates_folder(settings))
    published = approved_for_build(comments.database_url)
    grouped = group_by_article(published)
    for article in generator.articles:
        ref = article_ref(article)
        article_threads = threads(grouped.get(article.slug, []))
        article.stories_section = render_section(env, ref, site, article_threads)
        article.story_count = story_count(article_threads)
        article.story_count_html = render_count(env, ref, article.story_count)
        article.stories_feed = site.feed_path(ref)
    generator.context["approved_stories"] = published


def write_story_feeds(generator: Any, writer: Any = None) -> None:
    """One Atom feed of stories per article, and one for the whole site."""
    settings = generator.settings
    comments = comments_settings(settings)
    site = site_ref(settings, comments)
    env = environment(templates_folder(settings))
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
