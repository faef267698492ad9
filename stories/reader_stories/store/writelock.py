"""One writer at a time across the processes of a SQLite store, woken as soon as the lock is free.

SQLite lets one transaction write at a time. A process that finds the file locked retries from
its busy handler, which sleeps between tries (1 ms at first, up to 100 ms), so with several
intake workers on one file a story could wait a tenth of a second after the lock was free,
and the slowest submissions waited far longer than the writes in front of them took. An flock
on a file beside the database queues the writers in the kernel instead: the next one wakes the
moment the lock is released. Within a process, Store's thread lock already queues the threads,
so one thread per process waits here.

The wait is bounded like SQLite's: past the busy timeout the write is refused as busy. flock
cannot time out by itself, so a contended wait runs in a helper thread, which lets go of the
lock if it arrives after the caller gave up.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # no flock (Windows): SQLite's busy handler alone queues the writers
    fcntl = None  # type: ignore[assignment]


def lock_path(database: Path) -> Path:
    """The lock file beside a database, named like SQLite's own -wal and -shm files."""
    return database.with_name(database.name + "-lock")


class ProcessWriteLock:
    """The flock every write transaction on one SQLite file holds while it writes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, database: Path) -> ProcessWriteLock | None:
        """The lock for a database file, or None where there are no flocks."""
        return None if fcntl is None else cls(lock_path(database))

    @contextmanager
    def held(self, timeout: float) -> Iterator[bool]:
        """Hold the lock for the block; yields False (without the lock) when it was not free
        within ``timeout`` seconds or its file cannot be opened: the caller then meets SQLite's
        own busy handling, which says "busy" in the same words."""
        handle = self._open()
        if handle is None:
            yield False
            return
        try:
            if not _acquire(handle, self.path, timeout):
                yield False
                return
            yield True
        finally:
            os.close(handle)  # closing the last handle on the lock releases it

    def _open(self) -> int | None:
        try:
            return os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:  # a read-only folder: SQLite could not write there either
            return None


def _acquire(handle: int, path: Path, timeout: float) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    except OSError:
        return False
    waiter = _Waiter(handle)
    threading.Thread(target=waiter.wait, name="store-write-lock", daemon=True).start()
    return waiter.result(timeout)


class _Waiter:
    """A blocking flock in a thread; if the caller gave up first, the lock is let go at once."""

    def __init__(self, handle: int) -> None:
        # A duplicate shares the caller's open file, so the lock it gets is the caller's. Each
        # transaction opens the file anew: a lock that arrives after the caller gave up is
        # never mistaken for a later transaction's, and closing the duplicate lets it go.
        self.handle = os.dup(handle)
        self._done = threading.Event()
        self._guard = threading.Lock()
        self._abandoned = False
        self._got = False

    def wait(self) -> None:
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX)
            got = True
        except OSError:
            got = False
        with self._guard:
            if self._abandoned or not got:
                os.close(self.handle)
            else:
                self._got = True
            self._done.set()

    def result(self, timeout: float) -> bool:
        finished = self._done.wait(timeout)
        with self._guard:
            if not finished and not self._done.is_set():
                self._abandoned = True
                return False
        if self._got:
            os.close(self.handle)  # the caller's handle holds the lock until it is closed
        return self._got
