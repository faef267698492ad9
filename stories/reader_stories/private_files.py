"""Files that hold readers' email addresses are their owner's alone (0600) from the first byte.

A mode fixed after the file is written leaves a moment in which anyone on the host may open it,
and an open file stays readable after a chmod; so these files are created with the mode.
"""

from __future__ import annotations

import os
from pathlib import Path

# Read and write for the owner, nothing for the group or others.
PRIVATE = 0o600


def create_private(path: Path) -> bool:
    """Create ``path`` empty and owner-only, unless it exists (then it is left as it is).

    True when it was created now. For a SQLite database: SQLite gives the ``-wal`` and
    ``-shm`` files it makes beside a database the database file's own permissions.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, PRIVATE)  # exactly 0600, whatever the umask
    finally:
        os.close(descriptor)
    return True
