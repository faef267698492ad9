"""One delivery pass: claim due messages, send them, settle each one, retry with backoff.

The claim is a write transaction (BEGIN IMMEDIATE on SQLite, the advisory lock on PostgreSQL),
so two senders, in two threads or on two hosts, never take the same message; SMTP then runs
outside any transaction, and each message is settled in its own short transaction the moment
the server accepts it. A sender that dies mid-pass leaves its claim to run out (CLAIM_LEASE),
after which another sender tries again: a crash may, rarely, send a message twice; two live
senders never do.

The moderator's email is written at the moment it is sent (moderator.py), from the stories
that still wait then: a message about a story handled meanwhile is dropped, not sent.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from reader_stories.errors import StoriesError
from reader_stories.notify.follow import queue_digests
from reader_stories.notify.messages import Mailer
from reader_stories.notify.moderator import write_letter
from reader_stories.notify.records import MailKind, OutboxMessage
from reader_stories.notify.smtp import DeliveryError
from reader_stories.store import Store

log = logging.getLogger(__name__)

# Wait after the 1st, 2nd, ... failed attempt; later failures wait MAX_DELAY.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_DELAY = timedelta(hours=24)
MAX_ATTEMPTS = 10  # about five days of trying, then the message is given up and reported
CLAIM_LEASE = timedelta(minutes=15)  # far longer than any SMTP timeout
BATCH = 20


class Session(Protocol):
    def send(self, message: EmailMessage, sender: str, recipient: str) -> None: ...


class Transport(Protocol):
    def session(self) -> AbstractContextManager[Session]: ...


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else MAX_DELAY


@dataclass
class PassReport:
    """What one pass did, for `comments.send-mail` and the log."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0  # about stories a moderator handled before their email went
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not (self.sent or self.retrying or self.failed or self.dropped):
            return "No email was due."
        parts = [f"Sent {emails(self.sent)}."]
        if self.dropped:
            parts.append(
                f"{emails(self.dropped)} about stories already moderated "
                f"{'was' if self.dropped == 1 else 'were'} not sent."
            )
        if self.retrying:
            parts.append(f"{emails(self.retrying)} will be tried again.")
        if self.failed:
            parts.append(f"{emails(self.failed)} given up.")
        if self.errors:
            parts.append(f"Last error: {self.errors[-1]}")
        return " ".join(parts)


def emails(count: int) -> str:
    """'1 email', '2 emails': a count of messages as the command line and reports print it."""
    return f"{count} email{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Letter:
    """What goes to the server at once: one message, or several moderator ones as a digest."""

    messages: tuple[OutboxMessage, ...]

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.messages]

    @property
    def recipient(self) -> str:
        return self.messages[0].recipient

    @property
    def attempts(self) -> int:
        return max(m.attempts for m in self.messages)

    @property
    def about_new_stories(self) -> bool:
        return all(m.kind == MailKind.MODERATOR for m in self.messages)

    def email(self, mailer: Mailer, now: datetime) -> EmailMessage:
        [message] = self.messages
        return mailer.email(
            message.recipient, message.subject, message.body, message.unsubscribe_url, now
        )


def letters(mailer: Mailer, claimed: Sequence[OutboxMessage]) -> Iterator[Letter]:
    """Each message alone; in digest mode, moderator messages to one address together."""
    digest: dict[str, list[OutboxMessage]] = {}
    for message in claimed:
        if message.kind == MailKind.MODERATOR and mailer.settings.digest_minutes:
            digest.setdefault(message.recipient, []).append(message)
        else:
            yield Letter((message,))
    for group in digest.values():
        yield Letter(tuple(group))


class Pass:
    """State of one delivery pass: the claim token and the tally."""

    def __init__(self, store: Store, mailer: Mailer, max_attempts: int) -> None:
        self.store = store
        self.mailer = mailer
        self.max_attempts = max_attempts
        self.token = secrets.token_hex(16)
        self.report = PassReport()

    def claim(self, batch: int) -> list[OutboxMessage]:
        group = MailKind.MODERATOR if self.mailer.settings.digest_minutes else None
        with self.store.writing() as tx:
            return tx.claim_mail(self.token, tx.clock() + CLAIM_LEASE, batch, group)

    def sent(self, letter: Letter) -> None:
        try:
            with self.store.writing() as tx:
                tx.mark_mail_sent(letter.ids, self.token)
        except StoriesError as exc:
            log.warning(
                "Email %s sent but not recorded (it may be sent again): %s", letter.ids, exc
            )
        self.report.sent += len(letter.ids)

    def failed(self, letter: Letter, error: DeliveryError) -> None:
        # The server may quote the address back; the outbox keeps no address it does not need.
        text = str(error).replace(letter.recipient, "<recipient>")
        self.report.errors.append(text)
        give_up = error.permanent or letter.attempts >= self.max_attempts
        try:
            with self.store.writing() as tx:
                if error.bounced:
                    # An address that bounces follows nothing: its follows and their mail go.
                    tx.end_follows(letter.recipient)
                if give_up:
                    tx.mark_mail_failed(letter.ids, self.token, text)
                else:
                    later = tx.clock() + retry_delay(letter.attempts)
                    tx.mark_mail_retry(letter.ids, self.token, text, later)
        except StoriesError as exc:
            log.warning("Email %s not sent, and the store is unavailable: %s", letter.ids, exc)
        if give_up:
            self.report.failed += len(letter.ids)
            log.error("Email %s given up after %d attempts: %s", letter.ids, letter.attempts, text)
        else:
            self.report.retrying += len(letter.ids)
            log.warning("Email %s not sent (attempt %d): %s", letter.ids, letter.attempts, text)

    def drop(self, messages: Sequence[OutboxMessage]) -> None:
        """Messages about stories no longer waiting: taken out of the outbox unsent."""
        ids = [m.id for m in messages]
        try:
            with self.store.writing() as tx:
                tx.drop_claimed_mail(ids, self.token)
        except StoriesError as exc:
            log.warning("Email %s is out of date; not sent, and not dropped: %s", ids, exc)
        self.report.dropped += len(ids)

    def _write(self, letter: Letter) -> tuple[Letter, EmailMessage] | None:
        now = self.store.clock()
        if not letter.about_new_stories:
            return letter, letter.email(self.mailer, now)
        written = write_letter(self.store, self.mailer, letter.messages, now)
        if written.stale:
            self.drop(written.stale)
        if not written.kept:
            return None
        kept = Letter(written.kept)
        return kept, self.mailer.email(kept.recipient, written.subject, written.body, None, now)

    def compose(self, letter: Letter) -> tuple[Letter, EmailMessage] | None:
        """The letter (less any message gone out of date) and its email, or None: nothing
        left to say, or the letter given up (a bug no retry will fix) or put off."""
        try:
            return self._write(letter)
        except StoriesError as exc:
            self.failed(letter, DeliveryError(f"The story database was unavailable: {exc}"))
            return None
        except Exception as exc:
            log.exception("Could not build email %s", letter.ids)
            self.failed(letter, DeliveryError(f"Could not build the email: {exc}", permanent=True))
            return None

    def send(self, transport: Transport, batch: Sequence[Letter]) -> bool:
        """Send a claimed batch; False when the connection failed and the pass should stop."""
        pending = list(batch)
        try:
            with transport.session() as session:
                while pending:
                    composed = self.compose(pending.pop(0))
                    if composed is None:
                        continue
                    letter, email = composed
                    try:
                        session.send(email, self.mailer.settings.mail_from, letter.recipient)
                    except DeliveryError as error:
                        self.failed(letter, error)
                        if error.connection:
                            raise
                    else:
                        self.sent(letter)
        except DeliveryError as error:
            for letter in pending:
                self.failed(letter, error)
            return False
        return True


def deliver(
    store: Store,
    mailer: Mailer,
    transport: Transport,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    batch: int = BATCH,
) -> PassReport:
    """Queue the followers' digests that are due, then send everything due now, ``batch`` at
    a time; stop at the first connection failure."""
    queue_digests(store, mailer)
    run = Pass(store, mailer, max_attempts)
    while claimed := run.claim(batch):
        if not run.send(transport, list(letters(mailer, claimed))):
            break
    return run.report
