"""The moderator password: argon2 hashing, the rules for a new one, and where its hash is kept.

Only the hash is ever stored. ``invoke comments.set-password`` writes it to var/admin.env (git
ignored, read by the settings loader after the environment) or prints the line for a production
environment; the admin stays switched off until one of them holds a hash.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from reader_stories.pages.atomic import write_atomically
from reader_stories.settings import ADMIN_ENV_FILE, ENVIRONMENT

HASH_VARIABLE = ENVIRONMENT["admin_password_hash"]
MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; this only stops a megabyte "password" costing CPU

MSG_SHORT = f"The password must be at least {MIN_LENGTH} characters long."
MSG_LONG = f"The password must be at most {MAX_LENGTH} characters long."
MSG_MISMATCH = "The two passwords are not the same; nothing was changed."
MSG_EMPTY_FILE = "The password file is empty; put the password on its first line."

_HASHER = PasswordHasher()


def hash_password(password: str, hasher: PasswordHasher = _HASHER) -> str:
    """The argon2id hash to keep (salted, with its parameters written into it)."""
    return hasher.hash(check_new_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    """True only for the right password; a malformed hash or a too-long attempt is just False."""
    if not password_hash or not password or len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def fingerprint(password_hash: str, secret: str) -> str:
    """A short keyed digest of the hash, put in sessions: a new password ends every old session."""
    digest = hmac.new(secret.encode(), password_hash.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def check_new_password(password: str) -> str:
    """Refuse passwords that are too short to resist guessing (or absurdly long)."""
    if len(password) < MIN_LENGTH:
        raise ValueError(MSG_SHORT)
    if len(password) > MAX_LENGTH:
        raise ValueError(MSG_LONG)
    return password


def read_new_password(password_file: str = "", ask: Callable[[str], str] | None = None) -> str:
    """The first line of ``password_file`` (for scripts), or typed twice at a hidden prompt."""
    if password_file:
        lines = Path(password_file).read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0]:
            raise ValueError(MSG_EMPTY_FILE)
        return check_new_password(lines[0])
    if ask is None:
        from getpass import getpass

        ask = getpass
    first = check_new_password(ask("New moderator password: "))
    if ask("The same password again: ") != first:
        raise ValueError(MSG_MISMATCH)
    return first


def env_line(password_hash: str) -> str:
    """KEY='VALUE': single quotes keep a shell or systemd from expanding the $ signs in the hash."""
    return f"{HASH_VARIABLE}='{password_hash}'"


def write_env_file(project_root: Path, password_hash: str) -> Path:
    """Replace var/admin.env with the new hash, readable by its owner only."""
    path = Path(project_root) / ADMIN_ENV_FILE
    text = (
        "# The web admin's password hash, written by `invoke comments.set-password`.\n"
        "# The environment variable of the same name, if set, takes precedence.\n"
        f"{env_line(password_hash)}\n"
    )
    write_atomically(path, text, mode=0o600)  # never half a file, never readable by others
    return path


def set_password(
    password: str,
    project_root: Path,
    *,
    print_only: bool = False,
    environ: dict[str, str] | None = None,
) -> str:
    """Hash ``password`` and keep it (or just show the line); returns what to tell the user."""
    password_hash = hash_password(password)
    if print_only:
        return (
            "Put this line in the production environment (e.g. a systemd EnvironmentFile), "
            f"then restart the intake:\n{env_line(password_hash)}"
        )
    path = write_env_file(project_root, password_hash)
    lines = [f"Wrote the password hash to {path}. Restart the server to use it."]
    if HASH_VARIABLE in (os.environ if environ is None else environ):
        lines.append(
            f"Note: {HASH_VARIABLE} is set in this environment and takes precedence over "
            f"{ADMIN_ENV_FILE}; unset it or set it to the new hash."
        )
    return "\n".join(lines)
