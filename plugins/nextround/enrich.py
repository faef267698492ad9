"""Pelican glue: attach reading time, related articles and newer/older links to articles.

Two attributes per article, ``article.reading`` and ``article.nearby``, each a small object:
every attribute name Pelican's articles carry counts, since past 29 names in all CPython 3.11
stops sharing them and each article's attributes take 1.6 KB instead of about 300 bytes.
"""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup

from nextround.read_ahead import words_counted_ahead
from nextround.reading import minutes_for, related_all, word_count

logger = logging.getLogger(__name__)


class Reading:
    """What a reader learns of an article before reading it: its words, the minutes they take
    and its summary as text (for the meta description, Open Graph and the JSON-LD)."""

    __slots__ = ("_article", "minutes", "words")

    def __init__(self, article: Any, words: int, minutes: int) -> None:
        self._article, self.words, self.minutes = article, words, minutes

    @property
    def summary(self) -> str:
        """Made as the page is written: kept for every article, the texts cost 0.9 MiB at
        N=5,000 for a few microseconds a page."""
        return Markup(self._article.summary or "").striptags()


class Nearby:
    """Where a reader may go next: related articles, and the next newer and older ones."""

    __slots__ = ("newer", "older", "related")

    def __init__(self, related: list[Any], newer: Any = None, older: Any = None) -> None:
        self.related, self.newer, self.older = related, newer, older


def declare(content: Any) -> None:
    """content_object_init: the attributes this plugin gives an article, declared (as None) when
    Pelican makes it. CPython 3.11 adds a name to those a class's instances share only while few
    instances exist; named first after reading, each of 5,000 articles got a dict of its own,
    1.3 KB more apiece (6.4 MiB). An author's own ``Card:`` is kept."""
    from pelican.contents import Article

    if isinstance(content, Article):
        for name in ARTICLE_ATTRIBUTES:
            if not hasattr(content, name):
                setattr(content, name, None)


# What this plugin gives articles (images/glue.py gives the card).
ARTICLE_ATTRIBUTES = ("reading", "nearby", "card")


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
        article.nearby = Nearby(
            similar,
            articles[index - 1] if index > 0 else None,
            articles[index + 1] if index + 1 < len(articles) else None,
        )
    # Drafts, hidden articles and translations get their own pages with the same template, but
    # belong to no list: nothing is related to them and they have no neighbours.
    for article in [*unlisted, *generator.translations]:
        counted_ahead += describe(article, words_per_minute)
        article.nearby = Nearby([])
    if counted_ahead:
        logger.debug(
            "The words of %d articles were counted where they were converted", counted_ahead
        )


def describe(article: Any, words_per_minute: int) -> bool:
    """What the theme shows of one article beyond Pelican's own fields; whether its words were
    counted ahead, by the worker that converted it."""
    counted = words_counted_ahead(article._content)
    words = counted if counted is not None else word_count(article._content)
    article.reading = Reading(article, words, minutes_for(words, words_per_minute))
    return counted is not None


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
    nearby: Nearby | None = getattr(old, "nearby", None)
    new.nearby = Nearby(list(nearby.related), nearby.newer, nearby.older) if nearby else Nearby([])


def point_at(article: Any, old: Any, new: Any) -> None:
    """`article`'s links to `old` (related, newer, older) lead to `new` instead."""
    nearby: Nearby | None = getattr(article, "nearby", None)
    if nearby is None:
        return
    if any(one is old for one in nearby.related):
        nearby.related = [new if one is old else one for one in nearby.related]
    if nearby.newer is old:
        nearby.newer = new
    if nearby.older is old:
        nearby.older = new
