"""The stories a build shows, tallied: each article's count, the site's newest stories and the
ids of every story published, read a window of articles at a time.

Tallying reads every approved story, the one pass over the whole store a build makes. A build
that has just read its articles still runs other plugins' work over them, so the tally is made
meanwhile by the stories' worker process (pages/ahead.py) when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reader_stories.models import Story
from reader_stories.pages.published import ApprovedReader
from reader_stories.pages.section import SITE_FEED_LIMIT, story_count
from reader_stories.pages.windows import NewestStories, by_window
from reader_stories.threads import threads


@dataclass
class Tally:
    """What a build shows of all its stories at once."""

    counts: dict[str, int] = field(default_factory=dict)  # by article slug
    newest: list[Story] = field(default_factory=list)  # the site's feed, newest first
    updated: datetime | None = None  # the latest change to any story shown
    ids: list[int] = field(default_factory=list)  # every story shown, for the manifest


def tally(reader: ApprovedReader, slugs: Sequence[str]) -> Tally:
    """The tally of the articles `slugs`, from the stories `reader` reads."""
    counted = Tally()
    newest = NewestStories(SITE_FEED_LIMIT)
    for slug, stories in by_window(reader, slugs):
        counted.counts[slug] = story_count(threads(stories))
        newest.add(stories)
        counted.ids += (story.id for story in stories)
    counted.newest, counted.updated = newest.newest, newest.updated
    return counted
