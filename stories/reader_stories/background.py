"""A pass run in a background thread every few seconds, with a store of its own.

The stories service runs its mail sender and its page pusher this way while it serves. A pass
that fails (a database, mail server or publish target that is down) is logged and the next
tick tries again; stopping lets the pass under way finish, so nothing is cut off halfway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

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

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.run_once()
                self._stop.wait(self.interval)
        finally:
            if self._store is not None:
                self._store.close()
                self._store = None

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
