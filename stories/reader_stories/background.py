"""A pass run in a background thread every few seconds, with a store of its own.

The stories service runs its mail sender and its page pusher this way while it serves. A pass
that fails (a database, mail server or publish target that is down) is logged and the next
tick tries again; stopping lets the pass under way finish, so nothing is cut off halfway.

When the service runs several worker processes, each one starts the same workers; a lock file
lets one process at a time do the work (the others wait their turn at each tick, and take over
when the holder stops or dies, since the system releases its lock with it).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from reader_stories import exclusive
from reader_stories.errors import StoriesError
from reader_stories.store import Store, open_store

log = logging.getLogger(__name__)


class Periodic:
    """``start()`` runs ``work(store)`` at once and then every ``interval`` seconds."""

    def __init__(
        self, name: str, database_url: str, interval: float, work: Callable[[Store], Any]
    ) -> None:
        if interval <= 0:
            raise ValueError("the interval must be positive")
        self.name = name
        self.database_url = database_url
        self.interval = interval
        self.work = work
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self.lock: Path | None = None  # one process at a time does the work (see the module)
        self._held: IO[bytes] | None = None

    def run_once(self) -> Any:
        """One pass; None when it could not run (the error is logged, the next tick retries)."""
        try:
            if self._store is None:
                self._store = open_store(self.database_url)
            return self.work(self._store)
        except StoriesError as exc:
            log.warning("%s: the story database is unavailable: %s", self.name, exc)
        except Exception:
            log.exception("%s: the pass failed; trying again in %s s", self.name, self.interval)
        return None

    def my_turn(self) -> bool:
        """Whether this process does the work: always without a lock file; with one, once it
        holds the lock (taken at the first tick it is free, and kept until stop)."""
        if self.lock is None or self._held is not None:
            return True
        if not exclusive.HAS_LOCKS:  # one process is all such a system runs
            return True
        handle = exclusive.try_hold(self.lock)
        if handle is None:
            return False
        self._held = handle
        log.info("%s: this process does the work (pid %s).", self.name, os.getpid())
        return True

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self.my_turn():
                    self.run_once()
                self._stop.wait(self.interval)
        finally:
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._held is not None:
                self._held.close()  # releases the lock for another process
                self._held = None

    def start(self) -> Periodic:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the pass under way, then end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
