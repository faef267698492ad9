"""The sender in a background thread for `invoke serve` and `invoke intake`: a pass every N s.

It opens a store of its own (the intake's stays the intake's) and survives anything a pass can
throw: a database or mail server that is down is logged and tried again at the next tick.
"""

from __future__ import annotations

import logging
import threading

from reader_stories.errors import StoriesError
from reader_stories.notify.messages import Mailer
from reader_stories.notify.sender import PassReport, Transport, deliver
from reader_stories.notify.smtp import SmtpTransport
from reader_stories.store import Store, open_store

log = logging.getLogger(__name__)


class MailWorker:
    """``start()`` runs a pass at once and then every ``interval`` seconds until ``stop()``."""

    def __init__(self, mailer: Mailer, interval: float, transport: Transport | None = None) -> None:
        if interval <= 0:
            raise ValueError("the interval must be positive")
        self.mailer = mailer
        self.interval = interval
        self.transport = transport or SmtpTransport.from_settings(mailer.settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._store: Store | None = None

    def run_once(self) -> PassReport | None:
        """One pass; None when it could not run (the error is logged, the next tick retries)."""
        try:
            if self._store is None:
                self._store = open_store(self.mailer.settings.database_url)
            report = deliver(self._store, self.mailer, self.transport)
        except StoriesError as exc:
            log.warning("Mail not sent, the story database is unavailable: %s", exc)
            return None
        except Exception:
            log.exception("Mail delivery pass failed; trying again in %s s", self.interval)
            return None
        if report.sent or report.retrying or report.failed:
            log.info("Mail: %s", report)
        return report

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.run_once()
                self._stop.wait(self.interval)
        finally:
            if self._store is not None:
                self._store.close()
                self._store = None

    def start(self) -> MailWorker:
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the pass under way (a message is never cut off mid-send), then end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def background_sender(mailer: Mailer) -> MailWorker | None:
    """The worker the settings ask for, or None: mail off, or mail_interval 0 (cron instead)."""
    if not mailer.enabled or mailer.settings.mail_interval <= 0:
        return None
    return MailWorker(mailer, mailer.settings.mail_interval)
