"""Pelican glue: one edited article's page written again from the last build's state.

After a full build, the articles generator still holds every article, its lists and the context
its templates saw. When an author saves one article, reading that file again and writing its
page takes a few hundredths of a second, where a build reads and writes everything. The page is
the one a full build writes as long as what it shows of other articles (related articles, the
newer and older ones) stays as it was; the full build that follows settles the rest: lists,
feeds, and other pages' links to this one.

Only an article that keeps its address and status can be refreshed: a new, removed or renamed
article, or a draft becoming published, needs the full build (`NotRefreshable` says why).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nextround import enrich
from nextround.images import glue as images
from nextround.taxonomies import TAXONOMIES, taxonomy_pairs

# The generator's lists an article can be in, each written with the article template.
LISTS = ("articles", "translations", "hidden_articles", "hidden_translations")


class NotRefreshable(Exception):
    """The edit needs a full build; the message says why, for the author's console."""


@dataclass(frozen=True)
class Reread:
    """An article read again, beside the one it replaces and the list that holds it."""

    old: Any
    new: Any
    list_name: str


def find(generator: Any, source: Path) -> tuple[Any, str]:
    """The article read from `source` in the last build, and the name of its list."""
    wanted = os.path.abspath(source)
    for name in LISTS:
        for article in getattr(generator, name):
            if os.path.abspath(article.source_path) == wanted:
                return article, name
    raise NotRefreshable(f"{source} was not a listed or hidden article in the last build")


def reread(pelican: Any, generator: Any, source: Path) -> Reread:
    """Read `source` again and give the new article everything the build gave the old one.

    Pelican's own reading, signals and all, but for one file; then the handlers of
    article_generator_finalized, run over a copy of the generator that holds this article
    alone; then what depends on every article (related articles, neighbours) from the old one.
    """
    from pelican import signals
    from pelican.contents import Article
    from pelican.readers import SkipStub

    old, list_name = find(generator, source)
    images.start(pelican)  # the new article's images are rewritten and made as in a build
    new = generator.readers.read_file(
        base_path=generator.path,
        path=os.path.relpath(source, generator.path),
        content_class=Article,
        context=generator.context,
        context_signal=signals.article_generator_context,
        context_sender=generator,
    )
    if isinstance(new, SkipStub) or not new.is_valid():
        raise NotRefreshable(f"{source} is no longer an article Pelican publishes")
    for field in ("status", "save_as", "url", "lang"):
        if getattr(new, field, None) != getattr(old, field, None):
            raise NotRefreshable(f"{source}: its {field} changed")
    new.translations = getattr(old, "translations", [])
    new.refresh_metadata_intersite_links()
    alone = copy.copy(generator)
    alone.context = dict(generator.context)  # what handlers store there stays with the copy
    for name in (*LISTS, "drafts", "drafts_translations"):
        setattr(alone, name, [new] if name == list_name else [])
    signals.article_generator_finalized.send(alone)
    enrich.keep_neighbours(old, new)
    return Reread(old, new, list_name)


def write(pelican: Any, generator: Any, done: Reread) -> Path:
    """Write the reread article's page, and put it in the build's state in place of the old.

    Returns the page's path in the output folder.
    """
    from pelican import signals

    _replace(generator, done.old, done.new)
    article = done.new
    writer = pelican._get_writer()
    signals.article_generator_write_article.send(generator, content=article)
    try:
        writer.write_file(
            article.save_as,
            generator.get_template(article.template),
            generator.context,
            article=article,
            category=getattr(article, "category", None),
            override_output=hasattr(article, "override_save_as"),
            url=article.url,
            blog=True,
        )
    finally:
        images.finish(pelican)  # its resized images and share card into the built site
    return Path(generator.output_path) / article.save_as


def _replace(generator: Any, old: Any, new: Any) -> None:
    """`new` wherever the build's state held `old`: the next refresh then starts from it."""
    generator.add_source_path(new)
    generator.add_static_links(new)
    lists = [getattr(generator, name) for name in (*LISTS, "dates")]
    for name in TAXONOMIES:
        lists += [members for _, members in taxonomy_pairs(generator, name)]
    for members in lists:
        for index, member in enumerate(members):
            if member is old:
                members[index] = new
    for article in generator.articles:
        enrich.point_at(article, old, new)
