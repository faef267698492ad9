"""Replace a file in one step, so a reader or a web server never sees half of it."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, text: str, durable: bool = True, mode: int | None = None) -> None:
    """`durable` waits for the disk before the rename: right for an approval, which is the only
    copy of that change; a full build can always be run again, so it skips the wait.

    `mode` (e.g. 0o600) gives the file exactly those permissions, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if mode is None:
        handle = temporary.open("w", encoding="utf-8", newline="")
    else:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        os.fchmod(descriptor, mode)  # in case a stale temporary file was left with other rights
        handle = os.fdopen(descriptor, "w", encoding="utf-8", newline="")
    with handle:
        handle.write(text)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temporary, path)
