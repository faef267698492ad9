"""How the stories service is served: uvicorn's options in one place, and the limit it lacks.

A reverse proxy in front (nginx, Caddy) is the supported setup: it waits for slow clients itself
and hands the service whole requests. These limits keep the service standing if it faces the
internet directly anyway, where idle and half-sent connections would otherwise stay open until
the process runs out of file descriptors and stops accepting anyone.

uvicorn closes idle keep-alive connections, bounds the header bytes it buffers and answers 503
over a concurrency limit, but it gives a client unlimited time to send a request's headers and
accepts connections past any limit. ``SlowClientGuard`` adds both: a deadline for each request's
line and headers, and a cap on open connections. The body has its own deadlines, per read and in
all, in ``web/body.py`` (it is read by the app, not by the server).

`invoke intake` runs uvicorn with ``server_options()``; docs/operations.md gives the same options
as uvicorn's command line flags, and a test holds the two equal.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# The request line and headers of a form post arrive in one packet or two; 10 s is ample even
# on a poor mobile link, and short enough that a client that sends them a byte at a time gives
# its connection back soon.
HEADER_TIMEOUT = 10.0
# An idle connection between two requests costs a file descriptor; a browser opens a new one
# for its next story in a moment (uvicorn's own default).
KEEP_ALIVE_SECONDS = 5
# Requests in flight (and open connections) before uvicorn answers 503, and the most open
# connections: far above what one site's readers and moderators send at once.
CONCURRENCY = 500
# Connections the kernel queues before the service accepts them; past it, new ones are refused
# at once instead of waiting where no timeout of ours reaches them.
BACKLOG = 128
# Bytes of an incomplete request line and headers held per connection (h11's own default): a
# browser's request fits in a few KiB, and more than this is answered 400.
MAX_HEADER_BYTES = 16 * 1024
# At a restart, how long requests in flight may finish; a slow client must not hold it up.
GRACEFUL_SHUTDOWN_SECONDS = 15
# Files kept free of connections (see connection_cap), and the fewest connections allowed.
IN_FLIGHT_FILES = 4 * BACKLOG + 64
MIN_CONNECTIONS = 16

_TIMEOUT_TEXT = b"The request took too long to arrive. Please send it again.\n"
_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: %d\r\n"
    b"Connection: close\r\n\r\n%s" % (len(_TIMEOUT_TEXT), _TIMEOUT_TEXT)
)


def connection_cap(concurrency: int = CONCURRENCY) -> int:
    """Open connections allowed at once: ``concurrency``, or fewer if this process may open
    fewer files than that needs. The event loop accepts up to BACKLOG connections at a time,
    and a few such batches can be on their way in before one of them can be closed; room is
    kept for those, and for the database, templates, pages and mail (448 connections under the
    1,024 files Linux gives a process by default; raise `ulimit -n` where it is lower)."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # no such limit here (Windows)
        return concurrency
    if soft == resource.RLIM_INFINITY:
        return concurrency
    return min(concurrency, max(MIN_CONNECTIONS, soft - IN_FLIGHT_FILES))


class SlowClientGuard(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's headers and a cap on
    open connections.

    A connection over the cap is closed as soon as it is accepted. A request whose line and
    headers are not all in ``header_timeout`` seconds after the connection opened (or after the
    previous answer) is answered 408 if part of it came, and the connection is closed.
    """

    header_timeout: float = HEADER_TIMEOUT
    max_connections: int = connection_cap()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.close()
            return
        self._expect_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._stop_waiting()

    def on_response_complete(self) -> None:
        # Armed first: answering may start on a request already buffered, which stops it again.
        self._expect_headers()
        super().on_response_complete()

    def _expect_headers(self) -> None:
        self._stop_waiting()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _stop_waiting(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        partial, _closed = self.conn.trailing_data
        if self.conn.their_state is h11.IDLE and partial:
            self.transport.write(_TIMEOUT_ANSWER)
        self.transport.close()


def guard_class(header_timeout: float, max_connections: int) -> type[SlowClientGuard]:
    """SlowClientGuard with other limits (tests use short ones)."""
    limits = {"header_timeout": header_timeout, "max_connections": max_connections}
    return type("SlowClientGuard", (SlowClientGuard,), limits)


def server_options(
    *, header_timeout: float = HEADER_TIMEOUT, concurrency: int = CONCURRENCY
) -> dict[str, Any]:
    """uvicorn's keyword arguments for the stories service, limits included.

    Besides the limits above: no access log (it would write every reader's IP address and
    every address asked for, receipts included, and the proxy keeps its own), no trust in
    X-Forwarded-For from uvicorn (the intake judges it against its own trusted proxies), no
    Server header and no WebSockets, which the service does not use.
    """
    guard: type[SlowClientGuard] = SlowClientGuard
    if (header_timeout, concurrency) != (HEADER_TIMEOUT, CONCURRENCY):
        guard = guard_class(header_timeout, connection_cap(concurrency))
    return {
        "http": guard,
        "ws": "none",
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": concurrency,
        "backlog": BACKLOG,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
