"""Pelican glue: tag, category and author lists that answer `in` without a scan.

Before writing each tag's, category's and author's page, Pelican picks from every article by
date those in its list (`article in articles`), so those pages cost the square of a site's
articles: 1.2 s of profiled time at N=5,000. An article is equal only to itself (Pelican's
contents keep object identity as equality), so each list answers `in` from a set of its
members' identities. Pelican asks one list at a time (a page's worth of questions), so only
the list asked last keeps its set: at N=5,000 the sets of every list together held 2.4 MiB
until the build's end, at its peak of memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, ClassVar
from weakref import ref

# The articles generator's taxonomies: (name, articles) pairs, as a dict (tags) or a sorted list.
TAXONOMIES = ("tags", "categories", "authors")


class IdentityMembers(list):  # type: ignore[type-arg]
    """A list whose `in` looks an object up by identity, in constant time."""

    __slots__ = ("__weakref__", "_ids")
    _asked_last: ClassVar[ref[IdentityMembers] | None] = None

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._ids: set[int] | None = None

    def __contains__(self, item: object) -> bool:
        if self._ids is None:
            self._forget_the_last_asked()
            self._ids = {id(member) for member in self}
        return id(item) in self._ids

    def _forget_the_last_asked(self) -> None:
        last = IdentityMembers._asked_last() if IdentityMembers._asked_last else None
        if last is not None:
            last._ids = None
        IdentityMembers._asked_last = ref(self)


def _forgetting(name: str) -> Callable[..., Any]:
    changes = getattr(list, name)

    def changed(self: IdentityMembers, *args: Any, **kwargs: Any) -> Any:
        self._ids = None
        return changes(self, *args, **kwargs)

    changed.__name__ = name
    return changed


for _name in (
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "sort",
    "reverse",
):
    setattr(IdentityMembers, _name, _forgetting(_name))


def identity_is_equality(contents: Iterable[Any]) -> bool:
    """Whether every one of `contents` is equal only to itself (no class defines `==`)."""
    return all(kind.__eq__ is object.__eq__ for kind in {type(one) for one in contents})


def index_taxonomies(generators: list[Any]) -> None:
    """all_generators_finalized: the articles generator's taxonomy lists, before writing."""
    from pelican.generators import ArticlesGenerator

    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            index_lists(generator)


def index_lists(generator: Any) -> None:
    """Each tag's, category's and author's list becomes an IdentityMembers, wherever the
    generator and its context hold it (the context holds the tags as (tag, list) pairs)."""
    members = (
        article
        for name in TAXONOMIES
        for _, articles in taxonomy_pairs(generator, name)
        for article in articles
    )
    if not identity_is_equality(chain(getattr(generator, "dates", []), members)):
        return  # an article class of a plugin's with its own `==`: Pelican's scan stays
    indexed: dict[int, IdentityMembers] = {}

    def index(articles: Any) -> Any:
        if not isinstance(articles, list) or isinstance(articles, IdentityMembers):
            return articles
        if id(articles) not in indexed:
            indexed[id(articles)] = IdentityMembers(articles)
        return indexed[id(articles)]

    tags = getattr(generator, "tags", None)
    if isinstance(tags, dict):
        for tag, articles in tags.items():
            tags[tag] = index(articles)
    held = [getattr(generator, name, None) for name in TAXONOMIES]
    held += [generator.context.get(name) for name in TAXONOMIES]
    for pairs in held:
        if isinstance(pairs, list):
            pairs[:] = [(key, index(articles)) for key, articles in pairs]


def taxonomy_pairs(generator: Any, name: str) -> Iterable[tuple[Any, Any]]:
    """The (tag, category or author, articles) pairs of one of the generator's taxonomies."""
    taxonomy = getattr(generator, name, None)
    if isinstance(taxonomy, dict):
        return taxonomy.items()
    return taxonomy or []
