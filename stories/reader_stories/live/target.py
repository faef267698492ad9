"""Where the public site is published: PUBLISH_METHOD, PUBLISH_TARGET and PUBLISH_BRANCH.

One server: rsync into a local folder that the web server serves; that folder is the live site,
and moderation rewrites its pages in place. Static host elsewhere: rsync to ``host:path`` or a
git branch; moderation pushes the pages it changed there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

METHODS = ("rsync", "git")


class TargetError(ValueError):
    """The publish target is missing or malformed; the message says what to set."""


@dataclass(frozen=True)
class PublishTarget:
    method: str  # "rsync" or "git"
    destination: str  # rsync: a folder or user@host:path; git: a repository URL or path
    branch: str = "gh-pages"

    @property
    def local_folder(self) -> Path | None:
        """The folder itself when rsync publishes on this machine: then it is the live site."""
        if self.method != "rsync" or _is_remote(self.destination):
            return None
        return Path(self.destination).expanduser().resolve()

    def __str__(self) -> str:
        if self.method == "git":
            return f"branch {self.branch} of {self.destination}"
        return self.destination


def _is_remote(destination: str) -> bool:
    """rsync's own rule: a colon before any slash names a host (user@host:path, host:path)."""
    head = destination.split("/", 1)[0]
    return ":" in head


def target_from_settings(settings: Mapping[str, Any]) -> PublishTarget | None:
    """The target the settings name, or None when they name none (development)."""
    destination = str(settings.get("PUBLISH_TARGET") or "")
    if not destination:
        return None
    method = str(settings.get("PUBLISH_METHOD") or "rsync")
    if method not in METHODS:
        raise TargetError(f'PUBLISH_METHOD is "{method}"; use "rsync" or "git".')
    return PublishTarget(method, destination, str(settings.get("PUBLISH_BRANCH") or "gh-pages"))
