"""The sender in a background thread of the running service: a delivery pass every N seconds.

It opens a store of its own (the intake's stays the intake's); a database or mail server that
is down is logged and tried again at the next tick (see background.py).
"""

from __future__ import annotations

import logging

from reader_stories.background import Periodic
from reader_stories.notify.messages import Mailer
from reader_stories.notify.sender import PassReport, Transport, deliver
from reader_stories.notify.smtp import SmtpTransport
from reader_stories.store import Store

log = logging.getLogger(__name__)


class MailWorker(Periodic):
    """``start()`` runs a pass at once and then every ``interval`` seconds until ``stop()``."""

    def __init__(self, mailer: Mailer, interval: float, transport: Transport | None = None) -> None:
        super().__init__("mail-sender", mailer.settings.database_url, interval, self._deliver)
        self.mailer = mailer
        self.transport = transport or SmtpTransport.from_settings(mailer.settings)

    def _deliver(self, store: Store) -> PassReport:
        report = deliver(store, self.mailer, self.transport)
        if report.sent or report.retrying or report.failed:
            log.info("Mail: %s", report)
        return report


def background_sender(mailer: Mailer) -> MailWorker | None:
    """The worker the settings ask for, or None: mail off, or mail_interval 0 (cron instead)."""
    if not mailer.enabled or mailer.settings.mail_interval <= 0:
        return None
    return MailWorker(mailer, mailer.settings.mail_interval)
