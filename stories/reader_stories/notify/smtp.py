"""The SMTP transport: one connection per delivery pass, errors worded for `comments.pending`.

Every failure becomes a DeliveryError whose text names the server and what went wrong
("Connection refused to smtp.example:25"), never a traceback. ``permanent`` marks what no retry
will fix (the server refused this recipient or this message for good); ``connection`` marks a
failure of the connection itself, after which the rest of the pass is not tried.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage

from reader_stories.settings import CommentsSettings

DEFAULT_TIMEOUT = 20.0
IMPLICIT_TLS_PORT = 465


class DeliveryError(Exception):
    """A message (or the connection) failed; the text goes into the outbox's last_error."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        connection: bool = False,
        bounced: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection
        # The server refused the recipient for good: the address bounces, so it ends its follows.
        self.bounced = bounced


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"


class SmtpSession:
    """An open, logged-in connection; ``send`` raises DeliveryError and nothing else."""

    def __init__(self, client: smtplib.SMTP, where: str) -> None:
        self.client = client
        self.where = where

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        try:
            self.client.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b"refused"))
            raise DeliveryError(
                f"Recipient refused by {self.where}: {_reply(code, text)}",
                permanent=code >= 500,
                bounced=code >= 500,
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise DeliveryError(
                f"Sender address refused by {self.where}: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryError(
                f"{self.where} closed the connection: {exc}", connection=True
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"Message refused by {self.where}: {_reply(exc.smtp_code, exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"Sending through {self.where} failed: {exc}", connection=True
            ) from None


class SmtpTransport:
    """Where and how to send: host, port, STARTTLS (or implicit TLS on 465), optional login."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: CommentsSettings) -> SmtpTransport:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                client.starttls(context=context)
        except BaseException:
            client.close()
            raise
        return client

    def _connect(self) -> smtplib.SMTP:
        """Connected, encrypted as configured and logged in; or a DeliveryError that says why."""
        try:
            client = self._open()
        except ConnectionRefusedError:
            raise DeliveryError(f"Connection refused to {self.where}", connection=True) from None
        except TimeoutError:
            raise DeliveryError(f"Timed out connecting to {self.where}", connection=True) from None
        except socket.gaierror as exc:
            raise DeliveryError(
                f"Cannot find the mail server {self.host} ({exc.strerror})", connection=True
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                f"{self.where} does not offer STARTTLS (COMMENTS_SMTP_STARTTLS)", connection=True
            ) from None
        except ssl.SSLError as exc:
            raise DeliveryError(
                f"TLS with {self.where} failed: {exc.reason or exc}", connection=True
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"{self.where} refused the connection: {_reply(exc.smtp_code, exc.smtp_error)}",
                connection=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise DeliveryError(f"{reason} ({self.where})", connection=True) from None
        if self.username:
            try:
                client.login(self.username, self.password)
            except smtplib.SMTPResponseException as exc:
                client.close()
                raise DeliveryError(
                    f"Login refused by {self.where}: {_reply(exc.smtp_code, exc.smtp_error)}",
                    connection=True,
                ) from None
            except (smtplib.SMTPException, OSError) as exc:
                client.close()
                raise DeliveryError(
                    f"Login to {self.where} failed: {exc}", connection=True
                ) from None
        return client

    @contextmanager
    def session(self) -> Iterator[SmtpSession]:
        client = self._connect()
        try:
            yield SmtpSession(client, self.where)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                with suppress(OSError):
                    client.close()
