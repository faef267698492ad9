"""A real uvicorn on a loopback port, run with the options the service is given in production
(reader_stories.web.server), and raw sockets that talk to it as a slow client would."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from reader_stories.web.server import server_options


@contextmanager
def serving(app: ASGIApp, **options: Any) -> Iterator[tuple[str, int]]:
    """Serve ``app`` with ``server_options()`` (changed by ``options``) in a background thread;
    yield the host and port, stop on exit."""
    settings = {"log_level": "warning", **server_options(), **options}
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="auto", **settings)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def connect(address: tuple[str, int], sent: bytes = b"") -> socket.socket:
    """A connection that sends ``sent`` (nothing: an idle one) and then nothing more."""
    conn = socket.create_connection(address, timeout=30)
    if sent:
        conn.sendall(sent)
    return conn


def still_open(conn: socket.socket) -> bool:
    """Whether the server has neither answered nor closed this connection yet (no waiting)."""
    conn.setblocking(False)
    try:
        conn.recv(1, socket.MSG_PEEK)  # b"" once closed, bytes once answered
    except BlockingIOError:
        return True
    except ConnectionResetError:
        return False
    finally:
        conn.settimeout(30)
    return False


def answer_then_close(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (b"" if it says nothing);
    a bounded wait, not a measured one."""
    received = b""
    try:
        while chunk := conn.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received
