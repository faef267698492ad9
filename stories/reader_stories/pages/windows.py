"""A build's stories, read a window of articles at a time, so a large site never holds them all.

Held for every article at once, the stories of a site of 5,000 articles (ten each) took more
memory than the rest of the build. The build reads them twice, a window at a time: once after
reading, for each article's count, the site's feed and the manifest (`by_window`), and again as
each article's page and stories feed are written (`StoryWindows`), the window starting at that
article, since pages are written in the order the articles were listed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reader_stories.models import Story
from reader_stories.pages.section import newest_first
from reader_stories.threads import group_by_article

# Articles read at once: large enough that the queries cost little, small enough that the
# stories held at a time do not matter.
WINDOW = 128

ReadStories = Callable[[Collection[str]], list[Story]]


def windows(slugs: Sequence[str], size: int = WINDOW) -> Iterator[Sequence[str]]:
    for start in range(0, len(slugs), size):
        yield slugs[start : start + size]


def read_window(read: ReadStories, window: Sequence[str]) -> dict[str, list[Story]]:
    """Every article of the window with its stories (in the order written), none left out."""
    grouped = group_by_article(read(window))
    return {slug: grouped.get(slug, []) for slug in window}


def by_window(
    read: ReadStories, slugs: Sequence[str], size: int = WINDOW
) -> Iterator[tuple[str, list[Story]]]:
    """Each article's stories (in the order written), articles in the order given."""
    for window in windows(slugs, size):
        yield from read_window(read, window).items()


class StoryWindows:
    """One article's stories on request, read with those of the articles listed after it.

    The build's process asks in the order the articles were listed, so each read serves the
    next `size` asks; an article outside the window held (asked out of order, or not listed)
    is read with a new window from it.
    """

    def __init__(self, read: ReadStories, slugs: Sequence[str], size: int = WINDOW) -> None:
        self._read = read
        self._slugs = list(slugs)
        self._place = {slug: index for index, slug in enumerate(self._slugs)}
        self._size = size
        self._held: dict[str, list[Story]] = {}

    def stories_of(self, slug: str) -> list[Story]:
        if slug not in self._held:
            start = self._place.get(slug)
            window = [slug] if start is None else self._slugs[start : start + self._size]
            self._held = read_window(self._read, window)
        return self._held[slug]


@dataclass
class NewestStories:
    """The site's newest stories and its latest change, gathered window by window: the same as
    sorting every story at once."""

    limit: int
    newest: list[Story] = field(default_factory=list)
    updated: datetime | None = None

    def add(self, stories: Sequence[Story]) -> None:
        if not stories:
            return
        latest = max(story.updated for story in stories)
        self.updated = latest if self.updated is None else max(self.updated, latest)
        self.newest = newest_first([*self.newest, *stories], self.limit)
