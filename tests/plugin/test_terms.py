"""Each article's tags, category and authors become the one object the generator lists for that
term (plugins/nextround/terms.py), unless the article wrote the term differently."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Author, Category, Tag

from nextround.terms import share_generator_terms

SETTINGS = dict(DEFAULT_CONFIG)


def article(title: str, category: str, tags: list[str], authors: list[str], **more: Any) -> Any:
    """An article as Pelican's reader makes one: new term objects of its own."""
    metadata = {
        "title": title,
        "category": Category(category, SETTINGS),
        "tags": [Tag(tag, SETTINGS) for tag in tags],
        "authors": [Author(author, SETTINGS) for author in authors],
        **more,
    }
    return Article("<p>Text.</p>", metadata=metadata, settings=SETTINGS)


def generator(listed: list[Any], **lists: list[Any]) -> Any:
    """The generator's taxonomies as Pelican leaves them: each term keyed by the first article
    that named it (tags as a dict, categories and authors as sorted pairs)."""
    tags: dict[Any, list[Any]] = {}
    categories: dict[Any, list[Any]] = {}
    authors: dict[Any, list[Any]] = {}
    for one in listed:
        for tag in one.tags:
            tags.setdefault(tag, []).append(one)
        categories.setdefault(one.category, []).append(one)
        for author in one.authors:
            authors.setdefault(author, []).append(one)
    return SimpleNamespace(
        articles=listed,
        tags=tags,
        categories=sorted(categories.items()),
        authors=sorted(authors.items()),
        **lists,
    )


def test_articles_naming_the_same_term_share_the_listed_object() -> None:
    first = article("One", "Advice", ["offers", "interviews"], ["Ada"])
    second = article("Two", "Advice", ["interviews"], ["Ada", "Ben"])
    third = article("Three", "Pay", ["offers"], ["Ben"])
    listed = generator([first, second, third])
    assert second.tags[0] is not first.tags[1]  # as read: one object per article
    # Two: its tag, its category, Ada (in its authors and as its author); Three: its tag, Ben twice.
    assert share_generator_terms(listed) == 7
    assert second.tags[0] is first.tags[1]
    assert third.tags[0] is first.tags[0]
    assert second.category is first.category and second.metadata["category"] is first.category
    assert second.authors[0] is first.authors[0] and third.authors[0] is second.authors[1]
    assert second.author is first.author and third.author is second.authors[1]
    assert second.metadata["tags"] is second.tags  # the metadata's own list, changed in place
    assert set(map(id, listed.tags)) == {id(first.tags[0]), id(first.tags[1])}
    assert share_generator_terms(listed) == 0  # nothing left to swap


def test_a_term_written_differently_keeps_its_own_object_and_name() -> None:
    """Pelican lists "Job search" and "job search" as one tag (the same slug); each article's
    page still shows the tag as its article wrote it."""
    first = article("One", "Advice", ["Job search"], ["Ada"])
    second = article("Two", "advice", ["job search"], ["Ada"])
    listed = generator([first, second])
    assert len(listed.tags) == 1
    share_generator_terms(listed)
    assert second.tags[0] is not first.tags[0] and second.tags[0].name == "job search"
    assert second.category is not first.category and second.category.name == "advice"
    assert second.authors[0] is first.authors[0]


def test_drafts_hidden_articles_and_translations_share_listed_terms_too() -> None:
    first = article("One", "Advice", ["offers"], ["Ada"])
    draft = article("Draft", "Advice", ["offers", "unlisted"], ["Ada"], status="draft")
    hidden = article("Hidden", "Advice", ["offers"], ["Ada"], status="hidden")
    listed = generator([first], drafts=[draft], hidden_articles=[hidden])
    share_generator_terms(listed)
    assert draft.tags[0] is first.tags[0] and hidden.tags[0] is first.tags[0]
    assert draft.tags[1].name == "unlisted"  # no listed term to share: kept
    assert draft.category is first.category and hidden.author is first.author


def test_terms_made_with_other_settings_are_kept() -> None:
    first = article("One", "Advice", ["offers"], ["Ada"])
    other = Article(
        "<p>Text.</p>",
        metadata={"title": "Two", "tags": [Tag("offers", dict(SETTINGS))]},
        settings=SETTINGS,
    )
    listed = generator([first])
    listed.articles.append(other)
    share_generator_terms(listed)
    assert other.tags[0] is not first.tags[0]
