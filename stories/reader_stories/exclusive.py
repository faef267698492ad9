"""A lock file that one process at a time holds, taken without waiting: which process of a
service of several does a job (the background work, the command socket). The system releases
it with the process, so another takes over when the holder stops or dies."""

from __future__ import annotations

from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # no flock (Windows)
    fcntl = None  # type: ignore[assignment]

HAS_LOCKS = fcntl is not None


def try_hold(path: Path) -> IO[bytes] | None:
    """The open lock file, now held by this process; None when another process holds it.
    Only where HAS_LOCKS: without flock the caller decides what one process may do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
