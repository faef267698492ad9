"""Pelican glue: attach reading time, related articles and newer/older links to articles."""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup

from nextround.read_ahead import words_counted_ahead
from nextround.reading import minutes_for, related_all, word_count

logger = logging.getLogger(__name__)


def enrich_articles(generator: Any) -> None:
    """Run once all articles are read, so every article sees the whole, final list."""
    settings = generator.settings
    words_per_minute = settings.get("READING_WORDS_PER_MINUTE", 230)
    limit = settings.get("RELATED_ARTICLES_MAX", 3)
    articles = generator.articles  # newest first
    unlisted = [
        *generator.drafts,
        *generator.hidden_articles,
        *generator.drafts_translations,
        *generator.hidden_translations,
    ]
    freeze_urls([*articles, *generator.translations, *unlisted])
    # Every page's menu links the categories: their URLs are formatted once, not on every page.
    generator.context["category_links"] = [(cat.url, cat.name) for cat, _ in generator.categories]
    counted_ahead = 0
    for index, (article, similar) in enumerate(
        zip(articles, related_all(articles, limit), strict=True)
    ):
        counted_ahead += describe(article, words_per_minute)
        article.related_articles = similar
        article.newer_article = articles[index - 1] if index > 0 else None
        article.older_article = articles[index + 1] if index + 1 < len(articles) else None
    # Drafts and hidden articles get their own pages with the same template, but belong to no
    # list: nothing is related to them and they have no neighbours.
    for article in unlisted:
        counted_ahead += describe(article, words_per_minute)
        article.related_articles = []
        article.newer_article = article.older_article = None
    if counted_ahead:
        logger.debug(
            "The words of %d articles were counted where they were converted", counted_ahead
        )


def describe(article: Any, words_per_minute: int) -> bool:
    """What the theme shows of one article beyond Pelican's own fields; whether its words were
    counted ahead, by the worker that converted it."""
    counted = words_counted_ahead(article._content)
    # Also the JSON-LD's wordCount.
    article.word_count = counted if counted is not None else word_count(article._content)
    # The summary as text, for the meta description, Open Graph and both JSON-LD blocks.
    article.plain_summary = plain_summary(article)
    article.reading_minutes = minutes_for(article.word_count, words_per_minute)
    return counted is not None


def plain_summary(article: Any) -> str:
    """The summary as text: the one enrich_articles stored, else made now (for translations)."""
    stored: str | None = getattr(article, "plain_summary", None)
    return stored if stored is not None else Markup(article.summary or "").striptags()


def freeze_page_urls(generator: Any) -> None:
    """Pages are linked from every page's header and footer."""
    freeze_urls([*generator.pages, *generator.translations, *generator.hidden_pages])


def freeze_urls(contents: Any) -> None:
    """Compute each URL once, through Pelican's own `override_url` hook.

    Pelican formats `article.url` from the settings on every access (with two path
    normalisations), and the theme reads it for every link, list item and feed entry: tens of
    thousands of times in a large build. Once articles are final their URL cannot change.
    """
    for content in contents:
        if not hasattr(content, "override_url"):
            content.override_url = content.url


def keep_neighbours(old: Any, new: Any) -> None:
    """An article read again alone keeps the related articles and neighbours the build gave it:
    they depend on every article, and the next full build works them out again."""
    new.related_articles = getattr(old, "related_articles", [])
    new.newer_article = getattr(old, "newer_article", None)
    new.older_article = getattr(old, "older_article", None)


def point_at(article: Any, old: Any, new: Any) -> None:
    """`article`'s links to `old` (related, newer, older) lead to `new` instead."""
    related = getattr(article, "related_articles", None)
    if related and any(one is old for one in related):
        article.related_articles = [new if one is old else one for one in related]
    if getattr(article, "newer_article", None) is old:
        article.newer_article = new
    if getattr(article, "older_article", None) is old:
        article.older_article = new
