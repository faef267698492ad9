"""One job run by forked processes, each doing its share, or by one when anything goes wrong.

Every process runs the whole job over the same state (forked from the same moment) and asks
before each expensive step whether the step is its own: `Shares.mine` answers in turns, the same
in all processes because each asks the same questions in the same order; `Shares.first_come`
gives the step to whichever process reaches it first, through a counter the processes share, so
steps whose costs differ widely still end the job together. Each process holds
back what it logs. When every share ran cleanly (no exception, nothing logged at ERROR), the
held records are released once each, the parent's first, and the children's results come back
to the caller. Otherwise the children's work is thrown away and the caller's `alone` runs the
whole job in the build's process, whose problems are then reported exactly as in a one-process
build. A child that dies only closes its pipe: the parent never waits on a dead child.

No Pelican here.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# How long a process waits for the shared counter, whose lock is held for a few instructions:
# longer means the process holding it died there, and this share gives up (the job is then done
# alone).
CLAIM_TIMEOUT = 10.0


class SplitStalled(RuntimeError):
    """Another share died holding the shared counter's lock."""


class Shares:
    """Which steps of the job are this process's."""

    def __init__(self, mine: int, count: int, claimed: Any = None) -> None:
        self.index = mine
        self.count = count
        self._turns = 0  # steps taken in turns this process has asked about
        self._claimed = claimed  # a shared multiprocessing.Value: the next step not yet taken
        self._asked = 0  # first-come steps this process has asked about

    def mine(self) -> bool:
        """The processes take turns: a fixed pattern, the same in every process."""
        turn, self._turns = self._turns, self._turns + 1
        return turn % self.count == self.index

    def first_come(self) -> bool:
        """The step goes to the first process to ask about it. Every process asks about every
        such step in the same order, so each is taken exactly once; without a shared counter
        (a share run alone, or none could be made) this is `mine()`."""
        if self._claimed is None:
            return self.mine()
        step, self._asked = self._asked, self._asked + 1
        lock = self._claimed.get_lock()
        if not lock.acquire(timeout=CLAIM_TIMEOUT):
            raise SplitStalled("another process of the build stopped while choosing its work")
        try:
            counter = self._claimed.get_obj()  # its `.value` would take the lock again
            if step < counter.value:
                return False
            counter.value = step + 1
            return True
        finally:
            lock.release()


@dataclass
class _Outcome:
    """What a share sends back: its result and what it logged, or that it failed."""

    ok: bool
    result: Any = None
    records: list[logging.LogRecord] | None = None


class _Holder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def held_logging() -> Iterator[list[logging.LogRecord]]:
    """Every record logged inside is kept in the list instead of reaching any handler."""
    holder = _Holder()
    loggers = [logging.root]
    loggers += [
        one for one in logging.root.manager.loggerDict.values() if isinstance(one, logging.Logger)
    ]
    saved = {one: list(one.handlers) for one in loggers if one.handlers or one is logging.root}
    for one in saved:
        one.handlers = [holder]
    try:
        yield holder.records
    finally:
        for one, handlers in saved.items():
            one.handlers = handlers


def release(records: list[logging.LogRecord], filtered: bool = True) -> None:
    """Log held records now, through the handlers they would have reached.

    `filtered`: the loggers' own filters passed them already in this process. A child's records
    passed only the child's copies of those filters, so this process's filters judge them again
    (Pelican's drop a message this process has logged before, as one process would have).
    """
    for record in records:
        logger = logging.getLogger(record.name)
        if filtered or _passes(logger, record):
            logger.callHandlers(record)


def _passes(logger: logging.Logger, record: logging.LogRecord) -> bool:
    try:
        return bool(logger.filter(record))
    except Exception:  # Pelican's logger raises instead of returning False
        return False


def _failed(records: list[logging.LogRecord]) -> bool:
    return any(record.levelno >= logging.ERROR for record in records)


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """A record that survives pickling: its message formatted, its arguments dropped."""
    record.msg, record.args = record.getMessage(), None
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return record


def run_split(
    job: Callable[[Shares], Any],
    alone: Callable[[], None],
    combine: Callable[[Any, list[Any]], bool],
    processes: int,
) -> bool:
    """`job` in `processes` processes (this one and forked children), else `alone` here.

    `combine(own_result, children_results)` merges what the children did into this process and
    says whether the shares fit together; when it says no, `alone` runs too. True when the
    shares did the job.
    """
    sys.stdout.flush()  # or a child would write the parent's buffered output a second time
    sys.stderr.flush()
    children: list[tuple[int, int]] = []
    claimed = _shared_counter()
    gc.freeze()  # forked children then share the heap's pages instead of copying them
    try:
        for index in range(1, processes):
            children.append(_fork_share(job, index, processes, claimed))
    except OSError:  # no more processes allowed: the shares would not cover the job
        for pid, reader in children:
            _collect(pid, reader)
        alone()
        return False
    finally:
        gc.unfreeze()
    own = _run_share(job, 0, processes, claimed)
    outcomes = [_collect(pid, reader) for pid, reader in children]
    everyone = [own, *outcomes]
    if all(o.ok for o in everyone) and combine(own.result, [o.result for o in outcomes]):
        release(own.records or [])
        for outcome in outcomes:
            release(outcome.records or [], filtered=False)
        return True
    alone()
    return False


def _shared_counter() -> Any:
    """The first-come steps' counter, in memory the forked shares share; None where no such
    memory or lock can be made (first-come steps then follow the fixed pattern)."""
    try:
        context = multiprocessing.get_context("fork")
        return context.Value("q", 0, lock=context.Lock())
    except (OSError, ValueError, ImportError):
        return None


def _run_share(job: Callable[[Shares], Any], index: int, processes: int, claimed: Any) -> _Outcome:
    with held_logging() as records:
        try:
            result = job(Shares(index, processes, claimed))
        except Exception:
            return _Outcome(False)
    if _failed(records):
        return _Outcome(False)
    return _Outcome(True, result, records)


def _fork_share(
    job: Callable[[Shares], Any], index: int, processes: int, claimed: Any
) -> tuple[int, int]:
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns of forking beside threads (the share cards' pool); the child runs
        # only the build's own code, on locks it made or that Python remakes after a fork.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    status = 1
    try:
        os.close(reader)
        outcome = _run_share(job, index, processes, claimed)
        if outcome.records:
            outcome.records = [_portable(record) for record in outcome.records]
        with os.fdopen(writer, "wb") as pipe:
            pickle.dump(outcome, pipe)
        status = 0
    finally:
        # No flush of standard output: another thread of the parent may have held its lock
        # when the child was forked. Whatever the share logs travels back through the pipe.
        os._exit(status)


def _collect(pid: int, reader: int) -> _Outcome:
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        return _Outcome(False)
    try:
        outcome = pickle.loads(data)
    except Exception:
        return _Outcome(False)
    return outcome if isinstance(outcome, _Outcome) else _Outcome(False)
