"""Work done ahead in worker processes, handed out in the order the build asks for it.

The build reads its files one by one; worker processes forked just before it starts convert them
meanwhile, so the build finds each result ready. Only clean results cross back: a file whose
conversion raised or logged a warning is handed back as None, and the build converts it itself,
so its messages name the file and are reported once, exactly as in a one-process build. A worker
that dies (killed, out of memory) leaves the rest to the build's own process, with a warning.

Workers are forked, not spawned: they start with the build's settings, plugins and Markdown
instances as they are, which a spawned process would have to rebuild. Where fork is missing, the
build stays in one process. No Pelican here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

logger = logging.getLogger(__name__)

# Below this many files to convert, a worker's start-up costs more than it saves.
MIN_FILES = 40
# Files per task sent to a worker: enough to pay for the round trip, few enough that the build
# gets its first results soon and both workers stay busy to the end.
MAX_CHUNK = 16


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worker_count(processes: int | None, files: int, min_files: int = MIN_FILES) -> int:
    """How many workers should convert `files` files; 0 keeps the work in the build's process.

    `processes` is the BUILD_PROCESSES setting: None or 0 means one per usable core, 1 means
    today's one-process build.
    """
    wanted = processes or usable_cores()
    if wanted <= 1 or files < max(min_files, 2) or not can_fork():
        return 0
    return min(wanted, files)


# The conversion the forked workers run: set just before they are forked, so they inherit it
# instead of receiving it pickled with every task.
_work: Callable[[str], Any] | None = None


class _Noticed(logging.Handler):
    """In a worker: remembers that the conversion under way logged a warning or an error."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


_noticed = _Noticed()


def _start_worker() -> None:
    """A worker's logging goes nowhere but to `_noticed`: the build reports each problem once."""
    loggers = [logging.getLogger()]
    loggers += [
        one for one in logging.root.manager.loggerDict.values() if isinstance(one, logging.Logger)
    ]
    for one in loggers:
        if one.handlers or one is logging.root:
            for handler in list(one.handlers):
                one.removeHandler(handler)
            one.addHandler(_noticed)


def _work_quietly(item: str) -> Any:
    """In a worker: the result, or None when the build's own process should do this one."""
    _noticed.seen = False
    try:
        assert _work is not None
        result = _work(item)
    except Exception:
        return None
    return None if _noticed.seen else result


class WorkAhead:
    """Results of `work` over `items`, computed by worker processes in that order.

    `take(item)` waits for the item's result; it gives None for an item that was not sent, that
    failed or warned in its worker, or when the workers stopped: the caller then does it itself.
    The workers exit once the last result is taken (or on `close`), before the build goes on.
    """

    def __init__(self, work: Callable[[str], Any], items: Sequence[str], workers: int) -> None:
        global _work
        _work = work
        self._waiting = set(items)
        self._order: Iterator[str] = iter(items)
        self._ready: dict[str, Any] = {}
        chunk = max(1, min(MAX_CHUNK, len(items) // (workers * 8)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # forking beside threads
            self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
            )
            self._results: Iterator[Any] = self._executor.map(_work_quietly, items, chunksize=chunk)

    def take(self, item: str) -> Any:
        if item not in self._waiting:
            return None
        self._waiting.discard(item)
        while item not in self._ready and self._executor is not None:
            self._next_result()
        result = self._ready.pop(item, None)
        if not self._waiting:
            self.close()
        return result

    def _next_result(self) -> None:
        try:
            done = next(self._order)
            self._ready[done] = next(self._results)
        except StopIteration:
            self.close()
        except BrokenProcessPool as stopped:
            logger.warning(
                "A build worker process stopped (%s); the build's own process read the rest",
                stopped,
            )
            self.close()

    def close(self) -> None:
        """Stop the workers now; whatever was not taken is done by the caller."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self._waiting.clear()
        self._ready.clear()
