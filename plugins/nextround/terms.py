"""Pelican glue: one object per tag, category and author, shared by the articles that name it.

Pelican's reader makes a new Tag, Category or Author for every article that names one, and
each of them keeps its own name, slug and, once a page asks for its URL, a larger dictionary:
25,000 of them at 5,000 articles, about 10 MiB, for the few dozen terms the site has. After reading,
each article's term is swapped for the one the generator lists (the first article's), when it
is the same term written the same way: same kind, name, slug and settings. A term written
differently ("Job search" beside "job search") keeps its own object, so every page shows what
its article wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import chain
from typing import Any

from nextround.taxonomies import TAXONOMIES, taxonomy_pairs

logger = logging.getLogger(__name__)

# Where an articles generator keeps its articles: listed, translated, hidden and drafts.
ARTICLE_LISTS = (
    "articles",
    "translations",
    "hidden_articles",
    "hidden_translations",
    "drafts",
    "drafts_translations",
)


def share_terms(generators: list[Any]) -> None:
    """all_generators_finalized: the articles generator's terms, one object each."""
    from pelican.generators import ArticlesGenerator

    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            swapped = share_generator_terms(generator)
            logger.debug("%d of the articles' terms now share one object each", swapped)


def share_generator_terms(generator: Any) -> int:
    """Swaps each article's terms for the generator's own; how many were swapped."""
    listed = Listed(term for name in TAXONOMIES for term, _ in taxonomy_pairs(generator, name))
    articles = chain.from_iterable(getattr(generator, name, None) or () for name in ARTICLE_LISTS)
    return sum(listed.share(article) for article in articles)


class Listed:
    """The generator's own terms, found by what makes two term objects interchangeable on
    every page: kind, name, slug and settings."""

    def __init__(self, terms: Iterable[Any]) -> None:
        from pelican.urlwrappers import URLWrapper

        self._kind = URLWrapper
        self._terms: dict[tuple[Any, ...], Any] = {}
        for term in terms:
            key = self._key(term)
            if key is not None:
                self._terms.setdefault(key, term)

    def share(self, article: Any) -> int:
        """Swaps the article's terms for the listed ones; how many it swapped."""
        swapped = 0
        metadata = getattr(article, "metadata", None) or {}
        for name in ("tags", "authors"):
            terms = getattr(article, name, None)
            if isinstance(terms, list):  # in place: the article's metadata holds this very list
                for index, term in enumerate(terms):
                    shared = self._shared(term)
                    if shared is not None:
                        terms[index] = shared
                        swapped += 1
        for name in ("category", "author"):
            term = getattr(article, name, None)
            shared = self._shared(term)
            if shared is not None:
                setattr(article, name, shared)
                if metadata.get(name) is term:
                    metadata[name] = shared
                swapped += 1
        return swapped

    def _shared(self, term: Any) -> Any:
        """The listed term to use instead of `term`, or None to keep it."""
        key = self._key(term)
        shared = self._terms.get(key) if key is not None else None
        return shared if shared is not term else None

    def _key(self, term: Any) -> tuple[Any, ...] | None:
        if not isinstance(term, self._kind):
            return None
        return (type(term), term.name, term.slug, id(term.settings))
