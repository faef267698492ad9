"""Replace a file in one step, so a reader or a web server never sees half of it."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

# Pages and feeds are served to everyone: readable by all, as the build writes them.
PUBLIC = 0o644
# A temporary file this old belonged to a writer that was killed before its rename.
STALE_SECONDS = 60


def write_atomically(path: Path, text: str, durable: bool = True, mode: int = PUBLIC) -> None:
    """`durable` waits for the disk before the rename: right for an approval, which is the only
    copy of that change; a full build can always be run again, so it skips the wait.

    The temporary file has a name of its own (threads and processes writing the same page never
    share one) and exactly `mode` (e.g. 0o600 for private files), whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_stale(path: Path) -> None:
    """Temporary files of `path` left by a writer killed mid-write (never a live writer's)."""
    limit = time.time() - STALE_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*"):
        try:
            if leftover.stat().st_mtime < limit:
                leftover.unlink()
        except FileNotFoundError:  # another writer removed it meanwhile
            pass
