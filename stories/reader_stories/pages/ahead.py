"""The stories' share of a build done ahead, in one worker process forked while the build's
heap is still small: the tally once the articles are listed, then each article's stories
section and feed, a few windows of articles ahead of the pages being written.

Rendering the stories (the threads, the form, the feed) is about two fifths of writing a site's
pages, and none of it needs Pelican: an article's slug, title, URL and date, and the store. A
process forked once reading is over would copy most of the build's heap as it works (about
60 MiB at 5,000 articles); forked before the first article is read, it shares the little the
build holds then and allocates in a heap of its own.

Anything unexpected (no fork, an error, a worker that died, anything it logged) gives None for
that part, and the build's own process does it, reporting what it finds as it always would.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from reader_stories.config import Site
from reader_stories.pages.published import ApprovedReader
from reader_stories.pages.section import ArticleRef, render_feed, render_section
from reader_stories.pages.tally import Tally, tally
from reader_stories.pages.templates import environment
from reader_stories.pages.windows import read_window
from reader_stories.threads import threads

log = logging.getLogger(__name__)

# Below this many articles, a process costs more than the work it would move.
MIN_ARTICLES = 100
# Articles rendered by one job, and jobs sent ahead of the page being written: enough to keep
# the worker busy while the build writes, few enough that what waits costs little memory.
JOB_ARTICLES = 32
JOBS_AHEAD = 4


@dataclass(frozen=True)
class Source:
    """What the worker renders from (the store, the site, the form's signing key) and where
    the build writes its site."""

    database_url: str
    site: Site
    secret_key: str
    output: str


# --- In the worker ----------------------------------------------------------------------------


class _Noticed(logging.Handler):
    """Whether anything worth reporting was logged during the current job."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


@dataclass
class _Worker:
    source: Source
    reader: ApprovedReader
    noticed: _Noticed
    env: Environment | None = None
    closed: frozenset[str] | None = None


_worker: _Worker | None = None


def _start(source: Source) -> None:
    """The worker reports nothing itself: the build's process would report it again when it
    does the part in the worker's stead."""
    global _worker
    noticed = _Noticed()
    root = logging.getLogger()
    for one in [root, *logging.root.manager.loggerDict.values()]:
        if isinstance(one, logging.Logger) and (one.handlers or one is root):
            for handler in list(one.handlers):
                one.removeHandler(handler)
            one.addHandler(noticed)
    _worker = _Worker(source, ApprovedReader(source.database_url), noticed)


def _ready() -> bool:
    return True


def _tally_job(slugs: Sequence[str]) -> Tally | None:
    """The tally, or None when anything was logged."""
    assert _worker is not None
    _worker.noticed.seen = False
    counted = tally(_worker.reader, slugs)
    return None if _worker.noticed.seen else counted


def _render_job(refs: Sequence[ArticleRef]) -> list[str] | None:
    """Each article's stories section, and its stories feed written beside its page, from one
    read of their stories. Nothing is written when anything was logged: the build then renders
    these articles' sections and feeds itself."""
    assert _worker is not None
    worker, source = _worker, _worker.source
    worker.noticed.seen = False
    if worker.env is None:
        worker.env = environment(source.site.templates)
        worker.closed = worker.reader.closed()
    held = read_window(worker.reader, [ref.slug for ref in refs])
    sections, feeds = [], []
    for ref in refs:
        stories = held[ref.slug]
        closed = ref.slug in (worker.closed or ())
        sections.append(
            render_section(
                worker.env, ref, source.site, source.secret_key, threads(stories), closed=closed
            )
        )
        feeds.append(render_feed(worker.env, ref, source.site, stories))
    if worker.noticed.seen:
        return None
    for ref, feed in zip(refs, feeds, strict=True):
        write_feed(Path(source.output) / source.site.feed_path(ref), feed)
    return sections


def write_feed(path: Path, text: str) -> None:
    """An article's stories feed, written in place as Pelican writes the page beside it: a build
    writes into a folder no reader is served from (invoke publish's staging, then rsync
    replaces each file whole). What writes into the live site, the republisher, replaces files
    atomically (atomic.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as written:
        written.write(text)


# --- In the build's process -------------------------------------------------------------------


def _usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class StoriesAhead:
    """The worker, forked now; its tally and renderings are taken when the build needs them."""

    def __init__(self, source: Source) -> None:
        self._pid = os.getpid()
        self._broken = False
        self._tally: tuple[tuple[str, ...], Future[Tally | None]] | None = None
        self._jobs: list[tuple[ArticleRef, ...]] = []
        self._job_of: dict[str, int] = {}
        self._sent: dict[int, Future[list[str] | None]] = {}
        self._next_job = 0  # the first job not sent yet
        self._held_job = -1  # the job whose sections are held
        self._held: dict[str, str] = {}  # its sections by slug; their feeds are written
        self.sections_taken = 0
        gc.freeze()  # the worker's collections then leave the pages it shares untouched
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # forking beside threads
                self._executor = ProcessPoolExecutor(
                    1,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_start,
                    initargs=(source,),
                )
                self._executor.submit(_ready)  # the fork happens now, while the heap is small
        finally:
            gc.unfreeze()

    @staticmethod
    def possible(articles: int, processes: int | None) -> bool:
        """Whether working ahead can pay: enough articles, more than one process allowed
        (the BUILD_PROCESSES setting: None or 0 is one per usable core) and fork available."""
        wanted = processes or _usable_cores()
        return (
            articles >= MIN_ARTICLES
            and wanted > 1
            and "fork" in multiprocessing.get_all_start_methods()
        )

    def start_tally(self, slugs: Sequence[str]) -> None:
        if self._usable():
            slugs = tuple(slugs)
            self._tally = (slugs, self._executor.submit(_tally_job, slugs))

    def take_tally(self, slugs: Sequence[str]) -> Tally | None:
        """The tally, once done; None when it is not for these articles or did not come back
        clean, and the caller tallies itself."""
        started, self._tally = self._tally, None
        if started is None or started[0] != tuple(slugs) or not self._usable():
            return None
        counted = self._result(started[1])
        if counted is not None:
            log.debug("The stories of %d articles were tallied ahead", len(slugs))
        return counted

    def start_rendering(self, refs: Sequence[ArticleRef]) -> None:
        """Renders the articles' sections and writes their feeds, in this order (the order
        their pages are written), a few jobs ahead of the one being taken."""
        if not self._usable():
            return
        self._jobs = [
            tuple(refs[start : start + JOB_ARTICLES]) for start in range(0, len(refs), JOB_ARTICLES)
        ]
        self._job_of = {ref.slug: number for number, job in enumerate(self._jobs) for ref in job}
        self._send_up_to(JOBS_AHEAD - 1)

    def section(self, slug: str) -> str | None:
        """The article's stories section as rendered ahead, its feed written beside its page
        from the same stories; None: the caller renders both."""
        section = self._section(slug)
        if section is not None:
            self.sections_taken += 1
        return section

    def feed_written(self, slug: str) -> bool:
        """Whether the article's feed was written with the section just taken."""
        return slug in self._held if self._usable() else False

    def close(self) -> None:
        """No worker outlives the build (`invoke livereload` builds again in this process)."""
        if os.getpid() == self._pid:
            self._executor.shutdown(wait=True, cancel_futures=True)
            if self.sections_taken and not self._broken:
                log.debug("The stories of %d articles were rendered ahead", self.sections_taken)
        self._broken = True
        self._held = {}

    def _usable(self) -> bool:
        """A process forked from the build (by another plugin, say) cannot use the worker's
        pipes: it renders itself."""
        return not self._broken and os.getpid() == self._pid

    def _section(self, slug: str) -> str | None:
        if not self._usable():
            return None
        if slug in self._held:
            return self._held[slug]
        job = self._job_of.get(slug)
        if job is None or job <= self._held_job:
            return None  # not sent, or asked for out of order: rendered by the caller
        for skipped in range(self._held_job + 1, job):
            future = self._sent.pop(skipped, None)
            if future is not None:
                future.cancel()
        self._send_up_to(job + JOBS_AHEAD - 1)
        made = self._result(self._sent.pop(job))
        self._held_job = job
        self._held = {}
        if job == len(self._jobs) - 1:  # the last job is in: the worker's memory goes back
            self._executor.shutdown(wait=True)  # before the build's last, largest pages
        if made is not None:
            sections = zip(self._jobs[job], made, strict=True)
            self._held = {ref.slug: section for ref, section in sections}
        return self._held.get(slug)

    def _send_up_to(self, last: int) -> None:
        while self._next_job <= min(last, len(self._jobs) - 1):
            self._sent[self._next_job] = self._executor.submit(
                _render_job, self._jobs[self._next_job]
            )
            self._next_job += 1

    def _result(self, future: Future[Any]) -> Any:
        try:
            return future.result()
        except Exception as failed:  # the worker died or the job raised: done here instead
            log.debug("The stories' work ahead failed (%s)", failed)
            self._broken = True
            self._executor.shutdown(wait=False, cancel_futures=True)
            return None
