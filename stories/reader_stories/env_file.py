"""The production environment file (secrets, SITEURL, PUBLISH_TARGET) for commands run by hand.

systemd hands the service its EnvironmentFile; a moderator's `invoke comments.approve` or an
owner's `invoke publish` has no such help. `invoke use-settings FILE --env-file PATH` records
the file's path in var/environment-file, and every command of this checkout then reads it, with
the same meaning systemd gives it: KEY=value lines, quotes optional, no $-expansion. A variable
already set in the environment wins, so systemd's copy and a one-off override both still work.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from dotenv import dotenv_values

from reader_stories.settings import SettingsError

ENVIRONMENT_POINTER = Path("var") / "environment-file"


def point_environment_at(env_file: Path, folder: Path) -> Path:
    """Make `env_file` the environment of this checkout's commands; returns the pointer."""
    pointer = folder / ENVIRONMENT_POINTER
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(f"{env_file.resolve()}\n", encoding="utf-8")
    return pointer


def forget_environment(folder: Path) -> None:
    (folder / ENVIRONMENT_POINTER).unlink(missing_ok=True)


def pointed_environment(folder: Path) -> Path | None:
    """The environment file this checkout was pointed at, or None."""
    pointer = folder / ENVIRONMENT_POINTER
    if not pointer.is_file():
        return None
    return Path(pointer.read_text(encoding="utf-8").strip())


def read_environment(env_file: Path) -> dict[str, str]:
    """The file's variables; a SettingsError that says how to fix a file that cannot be read."""
    try:
        with env_file.open(encoding="utf-8") as handle:
            values = dotenv_values(stream=handle, interpolate=False)
    except FileNotFoundError:
        raise SettingsError(
            f"The environment file {env_file} (set by `invoke use-settings --env-file`) does "
            "not exist: create it from deploy/stories.env.example, or point at another file."
        ) from None
    except (PermissionError, IsADirectoryError, UnicodeDecodeError) as problem:
        raise SettingsError(
            f"The environment file {env_file} cannot be read "
            f"({getattr(problem, 'strerror', None) or problem}): make it readable by the user "
            f"running this command, e.g. `chown root:GROUP {env_file} && chmod 0640 {env_file}` "
            "with that user's group."
        ) from None
    return {key: value for key, value in values.items() if value is not None}


def apply_environment(folder: Path, environ: MutableMapping[str, str] | None = None) -> None:
    """Add the pointed environment file's variables to the environment; set ones win."""
    env_file = pointed_environment(folder)
    if env_file is None:
        return
    environ = os.environ if environ is None else environ
    for key, value in read_environment(env_file).items():
        environ.setdefault(key, value)
