"""Moderation commands handed to the running stories service, so they answer at once.

`invoke comments.approve 12` in a fresh process pays for Python, invoke, SQLAlchemy, the
templates and the mail composer before it approves anything, several times what the approval
costs. The service has all of that loaded. While it runs, it listens on a Unix socket in the
project's var/ (owner-only, like the store beside it), and the command line sends it the
moderation actions (approve, reject, spam, delete, release from the held bin, and deciding on
a writer's change) to run with its own configuration, then prints the same report the command
would have printed and exits with the same status.

It is only a shortcut: the command runs in its own process, exactly as before, whenever no
service listens, or the service reads another store or publishes another site (the command's
settings or environment differ), or the connection fails before the request is sent. A request
that was sent but not answered is never run again (it may have been done): the command says so.
With several worker processes, one of them at a time listens (a lock file, as the background
work has).

The client half imports nothing heavy: the standard library, and exclusive.py's lock file.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from reader_stories import exclusive

log = logging.getLogger(__name__)

SOCKET_NAME = "stories.sock"
LOCK_NAME = "stories.sock.lock"
# What the service runs for the command line: actions on stories by id, with no prompt, no file
# and no output but their report.
DELEGATED = frozenset(
    {"approve", "reject", "spam", "delete", "release", "approve-change", "reject-change"}
)
MAX_MESSAGE = 64 * 1024
CONNECT_TIMEOUT = 2.0
ANSWER_TIMEOUT = 120.0  # an approval of many stories republishes many pages

MSG_NO_ANSWER = (
    "The stories service took the command but did not answer, so it may or may not have been "
    "done. Check with `invoke comments.show ID` before trying again."
)


class Answer:
    """What the service did: the command's exit status and the lines it printed."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def socket_path(state: Path) -> Path:
    return state / SOCKET_NAME


def identity(config: Any) -> dict[str, str]:
    """What must be the same for the service to act for a command: the store and the public
    site the command's own settings name."""
    return {
        "database_url": config.comments.database_url,
        "live_site": str(config.live_site),
        "target": str(config.target),
        "siteurl": config.site.siteurl,
    }


# The command line's half


def delegate(config: Any, argv: Sequence[str]) -> Answer | None:
    """The service's answer to ``argv``, or None when the command must run in this process."""
    if not argv or argv[0] not in DELEGATED:
        return None
    path = socket_path(config.state)
    if not path.exists():
        return None
    message = {"argv": list(argv), "identity": identity(config), "user": _system_user()}
    request = json.dumps(message).encode() + b"\n"
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(CONNECT_TIMEOUT)
        connection.connect(str(path))
    except OSError:
        connection.close()
        return None  # nobody listens (a service that stopped): nothing was sent
    with connection:
        try:
            connection.sendall(request)
            connection.shutdown(socket.SHUT_WR)
            connection.settimeout(ANSWER_TIMEOUT)
            raw = _read_all(connection)
            answer = json.loads(raw) if raw else None
        except (OSError, ValueError):
            answer = None
    if not isinstance(answer, dict):
        return Answer(1, "", MSG_NO_ANSWER)
    if answer.get("refused"):
        return None  # another store or site: the command runs here, with its own settings
    return Answer(
        int(answer.get("code", 1)), str(answer.get("out", "")), str(answer.get("err", ""))
    )


def _system_user() -> str | None:
    """Who runs the command: the history names them, not the service's own user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def _read_all(connection: socket.socket) -> bytes:
    chunks, size = [], 0
    while chunk := connection.recv(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > 16 * MAX_MESSAGE:
            raise ValueError("answer too long")
    return b"".join(chunks)


# The service's half

# Runs one command: its arguments, where its report and problems go, and the system user who
# typed it (the history's name when the command gives no --as).
Runner = Callable[[Sequence[str], IO[str], IO[str], str | None], int]


class ControlListener:
    """The socket the service listens on, in a thread; one command at a time."""

    def __init__(self, config: Any, run: Runner) -> None:
        self.config = config
        self.run = run
        self.path = socket_path(config.state)
        self._lock: IO[bytes] | None = None
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ControlListener:
        """Listen, unless another process of the service does (or this system has no flock)."""
        if not exclusive.HAS_LOCKS:
            return self
        lock = exclusive.try_hold(self.path.parent / LOCK_NAME)
        if lock is None:
            return self
        self._lock = lock
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by a service that died; the lock says none listens now
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)  # owner-only from the start, as the store beside it
        try:
            server.bind(str(self.path))
        except OSError as problem:  # a path too long for a socket, a read-only var/
            log.warning("Commands run in their own process: %s: %s", self.path, problem)
            server.close()
            self._release()
            return self
        finally:
            os.umask(old_mask)
        server.listen(8)
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()
        log.info("Moderation commands are taken on %s (pid %s).", self.path, os.getpid())
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _serve(self) -> None:
        while (server := self._server) is not None:
            try:
                connection, _ = server.accept()
            except OSError:
                return  # stopped
            with connection:
                try:
                    self._answer(connection)
                except Exception:  # one bad request must not stop the listener
                    log.exception("A moderation command from the command line failed.")

    def _answer(self, connection: socket.socket) -> None:
        connection.settimeout(CONNECT_TIMEOUT)
        raw = b""
        while len(raw) <= MAX_MESSAGE and (chunk := connection.recv(65536)):
            raw += chunk
        reply = self.handle(raw)
        connection.settimeout(ANSWER_TIMEOUT)
        connection.sendall(json.dumps(reply).encode())

    def handle(self, raw: bytes) -> dict[str, Any]:
        """The answer to one request: refused (the command runs in its own process), or what
        the command printed and its status."""
        try:
            request = json.loads(raw) if len(raw) <= MAX_MESSAGE else None
        except ValueError:
            request = None
        if not isinstance(request, dict):
            return {"refused": "not a request"}
        argv = request.get("argv")
        if (
            not isinstance(argv, list)
            or not argv
            or not all(isinstance(part, str) for part in argv)
            or argv[0] not in DELEGATED
        ):
            return {"refused": "not a command the service runs"}
        if request.get("identity") != identity(self.config):
            return {"refused": "another store or site"}
        user = request.get("user")
        out, err = io.StringIO(), io.StringIO()
        code = self.run(argv, out, err, user if isinstance(user, str) else None)
        return {"code": code, "out": out.getvalue(), "err": err.getvalue()}
