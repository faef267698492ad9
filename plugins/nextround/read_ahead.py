"""Pelican glue: the articles' and pages' Markdown converted in worker processes ahead of reading.

When Pelican starts reading a generator's files (its first preread signal), the files it is
about to read are listed the way it lists them, those its content cache already holds are left
out, and the rest go to worker processes (nextround.ahead). Pelican then reads in its usual order
and its Markdown reader takes each file's conversion ready-made (tipboxes.pelican_glue's
`converted_ahead`); metadata, content objects and every signal stay in the build's process.
Each worker also counts the words of the HTML it made (`words_counted_ahead`): counting every
article was most of the one-core stretch between reading and writing.

BUILD_PROCESSES sets how many processes convert (default: one per usable core; 1: none but the
build's own); fewer files than BUILD_PARALLEL_MIN_FILES are converted in the build's process.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from nextround import ahead
from nextround.reading import word_count
from tipboxes.pelican_glue import Converted, ReusingMarkdownReader

logger = logging.getLogger(__name__)


class _Reading:
    """The generator being read and its work ahead: one at a time."""

    def __init__(self) -> None:
        self.generator: Any = None
        self.work: ahead.WorkAhead | None = None
        # Each converted HTML string, by identity, with its word count: an equal string made
        # elsewhere (a plugin that rewrote the content) is counted again by its user.
        self.counted: dict[int, tuple[str, int]] = {}


_reading = _Reading()


def convert_ahead(generator: Any) -> None:
    """article_generator_preread / page_generator_preread: sent before each file is read."""
    if _reading.generator is generator:
        return
    stop()
    _reading.counted = {}
    _reading.generator = generator
    readers = _markdown_readers(generator)
    if not readers:
        return
    paths = [path for path in _files_to_read(generator) if _suffix(path) in readers]
    settings = generator.settings
    workers = ahead.worker_count(
        settings.get("BUILD_PROCESSES"),
        len(paths),
        settings.get("BUILD_PARALLEL_MIN_FILES", ahead.MIN_FILES),
    )
    if workers == 0:
        return

    def convert(path: str) -> tuple[Converted, int]:
        converted = readers[_suffix(path)].convert(path)
        return converted, word_count(converted.html)

    logger.debug(
        "Converting %d Markdown files of %s in %d worker processes",
        len(paths),
        generator.path,
        workers,
    )
    _reading.work = work = ahead.WorkAhead(convert, paths, workers)

    def take(path: str) -> Converted | None:
        done = work.take(path)
        if done is None:
            return None
        converted, words = done
        _reading.counted[id(converted.html)] = (converted.html, words)
        return converted

    for reader in set(readers.values()):
        reader.converted_ahead = take


def words_counted_ahead(html: str) -> int | None:
    """The word count of `html` made by the worker that converted it, if this very string came
    from one (each is given once); None otherwise."""
    entry = _reading.counted.pop(id(html), None)
    return entry[1] if entry is not None and entry[0] is html else None


def finish(*_: Any) -> None:
    """finalized: no worker and no count outlives the build (`invoke livereload` builds again
    in the same process)."""
    stop()
    _reading.counted = {}


def stop() -> None:
    """Before the next generator and once its reading is over: no worker outlives the reading
    it served."""
    work, _reading.work = _reading.work, None
    if work is not None:
        work.close()
    generator, _reading.generator = _reading.generator, None
    if generator is not None:
        for reader in _markdown_readers(generator).values():
            reader.converted_ahead = None


def stop_after(generator: Any) -> None:
    """article_generator_pretaxonomy, page_generator_finalized: its reading is over."""
    if _reading.generator is generator:
        stop()


def _markdown_readers(generator: Any) -> dict[str, ReusingMarkdownReader]:
    """The readers that can take a conversion made elsewhere, by file suffix."""
    return {
        suffix: reader
        for suffix, reader in generator.readers.readers.items()
        if isinstance(reader, ReusingMarkdownReader)
    }


def _files_to_read(generator: Any) -> list[str]:
    """The absolute paths Pelican will read, in its order, less those its cache will serve."""
    from pelican.generators import ArticlesGenerator

    kind = "ARTICLE" if isinstance(generator, ArticlesGenerator) else "PAGE"
    settings = generator.settings
    cached = bool(settings.get("LOAD_CONTENT_CACHE"))  # else no cache holds anything
    found = []
    for relative in generator.get_files(
        settings[f"{kind}_PATHS"], exclude=settings[f"{kind}_EXCLUDES"]
    ):
        path = os.path.abspath(os.path.join(generator.path, relative))
        if cached and (
            generator.get_cached_data(relative, None) is not None
            or generator.readers.get_cached_data(path, None) is not None
        ):
            continue
        found.append(path)
    return found


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1][1:]
