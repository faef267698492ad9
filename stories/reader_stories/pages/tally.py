"""The stories a build shows, tallied: each article's count, the site's newest stories and the
ids of every story published, read a window of articles at a time.

Tallying reads every approved story, the one pass over the whole store a build makes. A build
that has just read its articles still runs other plugins' work over them in one process, so the
tally can start then in a forked process (`TallyAhead`) and be taken when the stories plugin
needs it. Anything unexpected there (no fork, an error, a dead process, a warning) leaves the
tally to the build's own process, which then reports it as it would have.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from reader_stories.models import Story
from reader_stories.pages.published import ApprovedReader
from reader_stories.pages.section import SITE_FEED_LIMIT, story_count
from reader_stories.pages.windows import NewestStories, by_window
from reader_stories.threads import threads

log = logging.getLogger(__name__)

# Below this many articles, forking costs more than the tally it would move.
MIN_ARTICLES = 100


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


class _Noticed(logging.Handler):
    """In the tallying process: whether anything worth reporting was logged."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


_noticed = _Noticed()


def _quiet() -> None:
    """The tallying process reports nothing itself: the build's process would report it again
    when it tallies in its stead."""
    root = logging.getLogger()
    for one in [root, *logging.root.manager.loggerDict.values()]:
        if isinstance(one, logging.Logger) and (one.handlers or one is root):
            for handler in list(one.handlers):
                one.removeHandler(handler)
            one.addHandler(_noticed)


def _tally_quietly(url: str, slugs: Sequence[str]) -> Tally | None:
    reader = ApprovedReader(url)
    try:
        counted = tally(reader, slugs)
    finally:
        reader.close()
    return None if _noticed.seen else counted


def _usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class TallyAhead:
    """A tally started now in a forked process, for articles whose list is final."""

    def __init__(self, url: str, slugs: Sequence[str]) -> None:
        self.slugs = tuple(slugs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # forking beside threads
            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("fork"), initializer=_quiet
            )
            self._future: Future[Tally | None] = self._executor.submit(
                _tally_quietly, url, self.slugs
            )

    @staticmethod
    def possible(articles: int, processes: int | None) -> bool:
        """Whether tallying ahead can pay: enough articles, more than one process allowed
        (the BUILD_PROCESSES setting: None or 0 is one per usable core) and fork available."""
        wanted = processes or _usable_cores()
        return (
            articles >= MIN_ARTICLES
            and wanted > 1
            and "fork" in multiprocessing.get_all_start_methods()
        )

    def take(self, slugs: Sequence[str]) -> Tally | None:
        """The tally, once done; None when it is not for these articles or did not come back
        clean, and the caller tallies itself."""
        try:
            counted = self._future.result() if tuple(slugs) == self.slugs else None
        except Exception as failed:  # the process died or the read raised: tallied again
            log.debug("The stories' tally ahead failed (%s)", failed)
            counted = None
        self.close()
        if counted is not None:
            log.debug("The stories of %d articles were tallied ahead", len(self.slugs))
        return counted

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
