"""Helpers for the notification tests: a real SMTP server in-process, mail settings, the outbox.

The server is aiosmtpd's Controller on 127.0.0.1 (a port of its own); its handler keeps every
message it accepted, parsed with the ``email`` package as a mail client would read it.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from reader_stories.notify.messages import Mailer
from reader_stories.notify.smtp import SmtpTransport
from reader_stories.settings import CommentsSettings, RateLimit
from reader_stories.store import Store, schema

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "theme" / "templates"
SECRET = "notify-tests-secret-" + "n" * 32
SITE_URL = "https://nextround.example"
MAIL_FROM = "stories@nextround.example"
MODERATOR = "moderator@nextround.example"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return str(self.message.get_content())


@dataclass
class Collector:
    """aiosmtpd handler: keeps what it accepts; refuses recipients listed in ``refuse``."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0
    port: int = 0  # where the server listens, set once it does
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer(Controller):
    """A Controller that may listen on port 0 (a free port) and tells which one it got."""

    def _trigger_server(self) -> None:
        if self.port == 0:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def start_smtp(port: int = 0, **handler: Any) -> tuple[SmtpServer, Collector]:
    collector = Collector(**handler)
    server = SmtpServer(collector, hostname="127.0.0.1", port=port)
    server.start()
    collector.port = server.port
    return server, collector


def free_port() -> int:
    """A loopback port where nothing listens (until a test starts a server on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mail_settings(database_url: str, port: int, **changes: Any) -> CommentsSettings:
    settings = CommentsSettings(
        database_url=database_url,
        secret_key=SECRET,
        rate_limit=RateLimit(100, 600),
        allowed_origins=(SITE_URL,),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        mail_from=MAIL_FROM,
        moderator_email=MODERATOR,
        site_url=SITE_URL,
    )
    return replace(settings, **changes)


def make_mailer(settings: CommentsSettings) -> Mailer:
    return Mailer(settings, TEMPLATES, "Next Round")


def transport(settings: CommentsSettings) -> SmtpTransport:
    return SmtpTransport.from_settings(settings)


def confirm_address(store: Store, address: str) -> None:
    """As the writer's click on the link of the confirmation email does."""
    with store.writing() as tx:
        tx.confirm_address(address)


def outbox(store: Store) -> list[Any]:
    """Every outbox row, oldest first, as the database has it."""
    with store.reading() as tx:
        return list(tx.conn.execute(select(schema.outbox).order_by(schema.outbox.c.id)))
