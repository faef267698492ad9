"""The peak memory of a child's own worker processes, which wait4 does not add up.

wait4 gives the child's ru_maxrss, the largest peak among it and the processes it waited for,
never their sum. A build that converts and renders in worker processes is counted here as the
sum of every process's peak: the child's from wait4, and each worker's VmHWM (its own peak,
which the kernel keeps), read from /proc every few milliseconds while it lives. Forked workers
share most of their pages with the build, so the sum overstates what the machine held at once:
an upper bound, never an undercount.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _peak_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text("utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


class WorkerPeaks:
    """While open: the peak of every process started by this process's children (not theirs)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self._peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> WorkerPeaks:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def total_kib(self) -> int:
        """The sum of the workers' peaks; each process counted once, however long it lived."""
        return sum(self._peaks.values())

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.sample(me)
            self._stop.wait(self.interval)

    def sample(self, root: int) -> None:
        pending = [grandchild for child in _children(root) for grandchild in _children(child)]
        while pending:
            pid = pending.pop()
            peak = _peak_kib(pid)
            if peak is not None:
                self._peaks[pid] = max(peak, self._peaks.get(pid, 0))
            pending += _children(pid)
