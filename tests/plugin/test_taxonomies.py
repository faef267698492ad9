"""Tag, category and author lists that answer `in` by identity (nextround/taxonomies.py): the
same answers as a list's scan, kept right as the list changes, and left alone for contents
that define their own equality."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from nextround.taxonomies import IdentityMembers, identity_is_equality, index_lists


class Content:
    """Equal only to itself, as Pelican's contents."""


class EqualByTitle:
    def __init__(self, title: str) -> None:
        self.title = title

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EqualByTitle) and other.title == self.title

    __hash__ = object.__hash__


def test_membership_is_a_lists_membership() -> None:
    a, b, c = Content(), Content(), Content()
    members = IdentityMembers([a, b])
    assert a in members and b in members and c not in members
    assert members == [a, b] and members[1:] == [b] and len(members) == 2


def test_membership_follows_every_change_to_the_list() -> None:
    a, b, c = Content(), Content(), Content()
    members = IdentityMembers([a, b])
    assert c not in members
    members.append(c)
    assert c in members
    members[0] = Content()  # what an edited article's refresh does
    assert a not in members
    members.remove(b)
    assert b not in members
    members += [b]
    assert b in members
    members.insert(0, a)
    assert a in members
    del members[0]
    assert a not in members
    members.extend([a])
    members.pop()
    assert a not in members
    members.clear()
    assert b not in members and c not in members


def test_only_the_list_asked_last_keeps_its_index() -> None:
    a, b, c = Content(), Content(), Content()
    first, second = IdentityMembers([a, b]), IdentityMembers([b, c])
    assert a in first and c not in first
    assert first._ids is not None
    assert c in second and a not in second
    assert first._ids is None and second._ids is not None
    assert b in first and c not in first  # asked again: indexed again, the same answers
    assert second._ids is None


def _generator(contents: list[Any]) -> Any:
    first, second = contents[:2], contents[1:]
    tags = {"interviews": first, "offers": second}
    categories = [("advice", list(contents))]
    authors = [("editors", list(contents))]
    context = {"tags": list(tags.items()), "categories": categories, "authors": authors}
    return SimpleNamespace(
        tags=tags, categories=categories, authors=authors, dates=contents, context=context
    )


def test_every_taxonomy_list_is_indexed_where_the_generator_and_its_context_hold_it() -> None:
    contents = [Content(), Content(), Content()]
    generator = _generator(contents)
    index_lists(generator)
    lists = [
        *generator.tags.values(),
        *(articles for _, articles in generator.categories),
        *(articles for _, articles in generator.authors),
    ]
    assert all(isinstance(articles, IdentityMembers) for articles in lists)
    # The context's pairs hold the very same lists, so a refreshed article changes both.
    assert [articles for _, articles in generator.context["tags"]] == list(generator.tags.values())
    assert all(
        held is own
        for (_, held), own in zip(generator.context["tags"], generator.tags.values(), strict=True)
    )
    assert generator.tags["interviews"] == contents[:2]
    assert [a for a in generator.dates if a in generator.tags["offers"]] == contents[1:]


def test_contents_with_their_own_equality_keep_pelicans_lists() -> None:
    contents = [EqualByTitle("one"), EqualByTitle("two"), EqualByTitle("one")]
    assert not identity_is_equality(contents)
    generator = _generator(contents)
    index_lists(generator)
    assert type(generator.tags["interviews"]) is list
    assert contents[2] in generator.tags["interviews"]  # equal by title, as Pelican would say
