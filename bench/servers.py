"""Start and stop a server child on a loopback port, and read its peak memory.

Servers under load run as their own processes so the load generator's CPU is not charged to
them and /proc/PID/status gives each one's own high-water mark (VmHWM).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.procs import ROOT, child_env

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port the kernel says is free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM of a running process in MiB (None once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text("utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a running process has used so far (None once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text("utf-8").rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (a gunicorn or uvicorn master and its workers)."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                waiting += [int(child) for child in task.read_text("utf-8").split()]
            except OSError:
                continue
    return found


def _summed(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log_dir: Path
    name: str

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def peak_rss_mib(self) -> float | None:
        """Summed over the server's processes: what a server of several workers holds."""
        return _summed([peak_rss_mib(pid) for pid in process_tree(self.proc.pid)])

    def cpu_seconds(self) -> float | None:
        """Summed over the server's processes that are alive now (workers live as long as the
        server, so a difference taken across a load counts all of its work)."""
        return _summed([cpu_seconds(pid) for pid in process_tree(self.proc.pid)])

    def log_tail(self) -> str:
        err = self.log_dir / f"{self.name}.err"
        return err.read_text("utf-8", errors="replace")[-2000:] if err.exists() else ""


# What uvicorn logs when a worker process has run its lifespan's start-up and takes requests.
UVICORN_STARTED = "Application startup complete."


def _wait_listening(server: Server, timeout: float, started_workers: int) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up: {server.log_tail()}")
        try:
            with socket.create_connection((LOOPBACK, server.port), timeout=0.5):
                if _started(server) >= started_workers:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} did not listen on port {server.port} in {timeout:.0f} s")


def _started(server: Server) -> int:
    """How many of the server's uvicorn workers have started (the parent listens before any
    has: a load sent then lands on whichever worker is ready first, and stays there)."""
    err = server.log_dir / f"{server.name}.err"
    return err.read_text("utf-8", "replace").count(UVICORN_STARTED) if err.exists() else 0


@contextmanager
def running_server(
    command: Sequence[str],
    *,
    port: int,
    log_dir: Path,
    name: str,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 30.0,
    stop_timeout: float = 15.0,
    started_workers: int = 0,
) -> Iterator[Server]:
    """Run `command` (which must listen on `port`, and, for uvicorn, start `started_workers`
    worker processes); on exit stop it gently, then firmly."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.out").open("wb") as out, (log_dir / f"{name}.err").open("wb") as err:
        proc = subprocess.Popen(
            list(command), cwd=ROOT, env=dict(env or child_env()), stdout=out, stderr=err
        )
        server = Server(proc, port, log_dir, name)
        try:
            _wait_listening(server, start_timeout, started_workers)
            yield server
        finally:
            stop(proc, stop_timeout)


def stop(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGINT (uvicorn, gunicorn and werkzeug shut down cleanly on it), then SIGKILL if it
    lingers."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
