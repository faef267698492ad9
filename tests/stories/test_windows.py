"""A build's stories read a window of articles at a time (pages/windows.py) are the stories read
all at once, whatever the window's size."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

import pytest
import store_calls as calls

from reader_stories.models import Story
from reader_stories.moderation import actions as moderation
from reader_stories.pages.published import approved_for_build
from reader_stories.pages.section import SITE_FEED_LIMIT
from reader_stories.pages.windows import NewestStories, StoryWindows, by_window
from reader_stories.store import open_store
from reader_stories.threads import group_by_article
from reader_stories.validation import validate_submission

ARTICLES = ["a", "b", "c", "d", "e"]


class CountedReads:
    """The build's reader, with the articles of every read it was asked for."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.asked: list[list[str]] = []

    def __call__(self, articles: Collection[str]) -> list[Story]:
        self.asked.append(list(articles))
        return approved_for_build(self.url, articles)


def publish(url: str) -> None:
    """Two stories on a, b and d (none on c and e), a reply on b."""
    with open_store(url) as store:
        ids = []
        for article in ("a", "b", "d", "a", "b", "d"):
            story = f"A story about article {article} and my job."
            form = {"article": article, "name": "Ayo", "story": story}
            form |= {"consent": "yes", "reply_to": "", "email": "", "notify": ""}
            ids.append(calls.add_submission(store, validate_submission(form, ip_hash="f" * 64)).id)
        moderation.approve(store, ids)
        form = {"article": "b", "name": "Ben", "story": "Same here, it worked for me too."}
        form |= {"consent": "yes", "reply_to": str(ids[1]), "email": "", "notify": ""}
        reply = calls.add_submission(store, validate_submission(form, ip_hash="e" * 64))
        moderation.approve(store, [reply.id])


@pytest.mark.parametrize("size", [1, 2, 128])
def test_by_window_gives_every_article_its_stories_in_order(db_url: str, size: int) -> None:
    publish(db_url)
    grouped = group_by_article(approved_for_build(db_url))
    reads = CountedReads(db_url)
    got = list(by_window(reads, ARTICLES, size))
    assert got == [(slug, grouped.get(slug, [])) for slug in ARTICLES]
    assert [len(s) for _, s in got] == [2, 3, 0, 2, 0]
    assert len(reads.asked) == -(-len(ARTICLES) // size)  # one read a window


def test_pages_read_a_window_from_the_article_asked_for(db_url: str) -> None:
    publish(db_url)
    grouped = group_by_article(approved_for_build(db_url))
    reads = CountedReads(db_url)
    pages = StoryWindows(reads, ARTICLES, size=2)
    for slug in ARTICLES:
        assert pages.stories_of(slug) == grouped.get(slug, [])
    assert reads.asked == [["a", "b"], ["c", "d"], ["e"]]
    # An article asked out of order is read again, with a window from it.
    assert pages.stories_of("b") == grouped["b"]
    assert reads.asked[-1] == ["b", "c"]
    assert pages.stories_of("c") == grouped.get("c", [])
    assert len(reads.asked) == 4  # c came with b
    assert pages.stories_of("none-such") == []
    assert reads.asked[-1] == ["none-such"]


def test_the_newest_gathered_by_window_are_the_newest_of_all(db_url: str) -> None:
    publish(db_url)
    everything = approved_for_build(db_url)
    for limit in (1, 3, SITE_FEED_LIMIT):
        newest = NewestStories(limit)
        for _, stories in by_window(partial(approved_for_build, db_url), ARTICLES, 2):
            newest.add(stories)
        expected = sorted(everything, key=lambda s: (s.created, s.id), reverse=True)[:limit]
        assert newest.newest == expected
        assert newest.updated == max(s.updated for s in everything)
    assert NewestStories(3).updated is None  # a site without stories
