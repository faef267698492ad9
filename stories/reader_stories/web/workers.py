"""Several worker processes on one port, each listening on a socket of its own.

uvicorn's own ``workers`` share one listening socket, and the worker that wakes first accepts
every connection then waiting. Connections that stay open (a reverse proxy's kept-alive ones,
nginx's ``keepalive``, or a burst of clients) then stay unevenly spread: 19 of 20 on one
worker, measured, while the other idled and readers waited twice as long. Here each worker
binds the port with SO_REUSEPORT, and the kernel spreads new connections evenly across them.

The supervisor is small: it starts the workers, starts again one that dies (unless it died
before its start-up was through, which would fail the same way again), and stops them all on
SIGINT or SIGTERM, each finishing the requests it holds as uvicorn does alone.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")

# How often the supervisor looks at its workers, and how long each may take to stop.
WATCH_INTERVAL = 0.5
STOP_TIMEOUT = 30.0


class PortTaken(Exception):
    """Another program already listens on the port: two services must never share it."""


def check_port_free(host: str, port: int) -> None:
    """Bind the port without SO_REUSEPORT, and let go: with the option, a second copy of the
    service would otherwise share the port with the first without a word."""
    family, address = _address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise PortTaken(f"{host}:{port} is already in use ({exc.strerror})") from None


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A socket of this worker's own on the shared port."""
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(backlog)
    return sock


def _address(host: str, port: int) -> tuple[socket.AddressFamily, Any]:
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    return family, address


class _Server(uvicorn.Server):
    """uvicorn's server, telling the supervisor once its start-up is through."""

    def __init__(self, config: uvicorn.Config, started: Event) -> None:
        super().__init__(config)
        self.started_event = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.started_event.set()


def serve_worker(app: str, host: str, port: int, options: dict[str, Any], started: Event) -> None:
    """One worker: ``app`` (a factory's import path) on its own socket, until told to stop."""
    config = uvicorn.Config(app, factory=True, host=host, port=port, **options)
    try:
        sock = listening_socket(host, port, config.backlog)
    except OSError as exc:
        log.error("Worker could not listen on %s:%s: %s", host, port, exc.strerror)
        sys.exit(STARTUP_FAILURE)
    _Server(config, started).run(sockets=[sock])


def run_workers(app: str, workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Serve ``app`` with ``workers`` processes on host:port; the exit status for the shell."""
    uvicorn.Config(app, factory=True, host=host, port=port, **options)  # sets up uvicorn's logs
    check_port_free(host, port)
    stopping = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopping.set())
    context = multiprocessing.get_context("spawn")

    def start() -> Worker:
        started = context.Event()
        process = context.Process(
            target=serve_worker, args=(app, host, port, options, started), name="stories-worker"
        )
        process.start()
        log.info("Started worker process [%s]", process.pid)
        return Worker(process, started)

    running = [start() for _ in range(workers)]
    status = _watch(running, start, stopping)
    _stop([worker.process for worker in running])
    return status


@dataclass(frozen=True)
class Worker:
    process: BaseProcess
    started: Event  # set by the worker once its start-up is through

    def failed_at_start_up(self) -> bool:
        """Died before serving (a setting, the app, the port): another would fail alike."""
        return not self.started.is_set()


def _watch(running: list[Worker], start: Callable[[], Worker], stopping: threading.Event) -> int:
    """Start again each worker that dies, until told to stop; 1 when one failed at start-up."""
    while not stopping.wait(WATCH_INTERVAL):
        for index, worker in enumerate(running):
            process = worker.process
            if process.is_alive():
                continue
            if worker.failed_at_start_up():
                log.error("Worker process [%s] failed at start-up; stopping.", process.pid)
                return 1
            died = (process.pid, process.exitcode)
            log.warning("Worker process [%s] died (exit %s); starting another.", *died)
            running[index] = start()
    return 0


def _stop(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests under way
    for process in processes:
        process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join()
