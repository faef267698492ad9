"""The peak memory of a build together with its worker processes, which wait4 does not give.

wait4 gives the build's ru_maxrss: the largest peak among it and the processes it waited for,
never their sum. Summing every process's peak RSS would not do either: forked workers share
most of their pages with the build, and RSS counts a shared page in full in each process. PSS
(proportional set size) splits each shared page between the processes sharing it, so the sum of
the tree's PSS is the memory the tree holds at that moment. It is read from /proc every few
milliseconds while the build runs, and the largest sum is kept.
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


def _pss_kib(pid: int) -> int:
    """The process's proportional set size; 0 once it has gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text("utf-8")
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class TreeMemory:
    """While open: the largest total PSS of the processes this process starts (its children and
    all their descendants); processes it had already started (a resource tracker) are left out."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_kib = 0
        self.most_processes = 0
        self._earlier: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._earlier = set(_children(os.getpid()))
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

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.sample(me)
            self._stop.wait(self.interval)

    def sample(self, root: int) -> None:
        """One reading of the tree below `root` (root itself not counted)."""
        pending = [pid for pid in _children(root) if pid not in self._earlier]
        seen = []
        while pending:
            pid = pending.pop()
            seen.append(pid)
            pending += _children(pid)
        self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in seen))
        self.most_processes = max(self.most_processes, len(seen))
