"""Pelican glue: the articles generator's pages and feeds rendered by two processes at once.

Once every generator has its context (all_generators_finalized), the articles generator's
output is split: the build forks, and the build's process and its child each run Pelican's own
generate_feeds and generate_pages, rendering and writing only the files that fall to them
(nextround.split decides). Then, in the build's process only, the child's files join the
writer's record of written files and article_writer_finalized is sent, so plugins that write
at that moment (the site's stories feed and the manifest) run once with the whole context.

The split stays off (and the build writes in one process) when BUILD_PROCESSES or the number of
cores says one process, when fork is missing, with RELATIVE_URLS (Pelican then changes the
shared context as it writes each file), when a plugin listens to content_written,
feed_generated or feed_written (it would hear only the build's own half) unless the listener
says it is `split_safe` (it only writes files of its own for the one just written, and keeps
nothing the rest of the build needs, so each process's copy hears that process's files), and
with a writer other than Pelican's.
"""

from __future__ import annotations

import logging
import weakref
from functools import partial
from typing import Any

from nextround import ahead, split

# Signals sent from inside Pelican's writer: a listener in the build's process would miss the
# child's files.
WRITER_SIGNALS = ("content_written", "feed_generated", "feed_written")

logger = logging.getLogger(__name__)


def split_article_writing(generators: list[Any]) -> None:
    """all_generators_finalized: the articles generator writes in two processes when it can."""
    from pelican.generators import ArticlesGenerator

    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            generator.generate_output = partial(write_in_shares, generator)


def write_in_shares(generator: Any, writer: Any) -> None:
    """ArticlesGenerator.generate_output, with its files rendered by several processes."""
    from pelican import signals

    processes = _processes(generator, writer)
    if processes < 2:
        type(generator).generate_output(generator, writer)  # Pelican's own, signal included
        return
    before = (set(writer._written_files), set(writer._overridden_files))

    def job(shares: split.Shares) -> tuple[set[str], set[str]]:
        shared = SharedWriter(writer, shares)
        generator.generate_feeds(shared)
        generator.generate_pages(shared)
        return writer._written_files - before[0], writer._overridden_files - before[1]

    def alone() -> None:
        writer._written_files, writer._overridden_files = set(before[0]), set(before[1])
        generator.generate_feeds(writer)
        generator.generate_pages(writer)

    def combine(own: tuple[set[str], set[str]], others: list[tuple[set[str], set[str]]]) -> bool:
        return _combine(writer, own, others)

    shared = split.run_split(job, alone, combine, processes)
    files = len(writer._written_files) - len(before[0])
    if shared:
        logger.debug("%d pages and feeds written by %d processes", files, processes)
    else:
        logger.debug("%d pages and feeds written again by one process", files)
    signals.article_writer_finalized.send(generator, writer=writer)


def _processes(generator: Any, writer: Any) -> int:
    from pelican import signals

    settings = generator.settings
    if settings.get("RELATIVE_URLS"):
        return 1
    if not isinstance(getattr(writer, "_written_files", None), set):
        return 1  # a plugin's own writer: its record of written files is unknown
    if any(_listeners_need_one_process(getattr(signals, name)) for name in WRITER_SIGNALS):
        return 1
    files = len(generator.articles) + len(generator.drafts)
    workers = ahead.worker_count(
        settings.get("BUILD_PROCESSES"),
        files,
        settings.get("BUILD_PARALLEL_MIN_FILES", ahead.MIN_FILES),
    )
    return max(workers, 1)


def _listeners_need_one_process(signal: Any) -> bool:
    """Whether any listener of a writer signal has not said it is `split_safe`."""
    for receiver in signal.receivers.values():
        if isinstance(receiver, weakref.ref):
            receiver = receiver()
        if receiver is not None and not getattr(receiver, "split_safe", False):
            return True
    return False


def _combine(
    writer: Any, own: tuple[set[str], set[str]], others: list[tuple[set[str], set[str]]]
) -> bool:
    """The children's files into the writer's record, unless two shares wrote one file or any
    share overrode a file: then only one process can reproduce Pelican's order and its errors."""
    written = set(own[0])
    if any(overridden for _, overridden in [own, *others]):
        return False
    for files, _ in others:
        if written & files:
            return False
        written |= files
    writer._written_files |= written
    return True


class SharedWriter:
    """Pelican's writer for one share: writes what falls to this process and skips the rest."""

    def __init__(self, writer: Any, shares: split.Shares) -> None:
        self._writer = writer
        self._shares = shares

    def write_file(self, name: Any, template: Any, context: Any, *args: Any, **kwargs: Any) -> None:
        if not name:
            return
        if self._mine(kwargs):
            self._writer.write_file(name, template, context, *args, **kwargs)

    def write_feed(self, *args: Any, **kwargs: Any) -> Any:
        if self._shares.first_come():
            return self._writer.write_feed(*args, **kwargs)
        return None

    def _mine(self, kwargs: dict[str, Any]) -> bool:
        """Articles' pages (and drafts') take turns, so each process reads the stories of every
        other article only (reader_stories' StoryWindows). Every other file goes to the first
        process free: a list costs from one page to hundreds (the sitemap, the archives), which
        no count of files foretells, and these come last, so both processes end together."""
        if kwargs.get("article") is not None:
            return self._shares.mine()
        return self._shares.first_come()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)
