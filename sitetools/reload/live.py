"""What `invoke livereload` runs: the development server, with a watcher that rebuilds the site
and tells every open page what changed."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from reader_stories.config import Config, config_from_pelican
from sitetools.build import BuildReport
from sitetools.reload.channel import ReloadChannel
from sitetools.reload.rebuilder import Rebuilder
from sitetools.reload.watch import SiteWatcher
from sitetools.serve import site_with_stories


@dataclass(frozen=True)
class LiveServer:
    app: Starlette
    config: Config
    build: BuildReport
    watcher: SiteWatcher
    channel: ReloadChannel


def live_server(
    settings_file: Path,
    output: Path,
    folders: list[Path],
    say: Callable[[str], None] = print,
    on_code: Callable[[list[Path]], None] | None = None,
    overrides: dict[str, Any] | None = None,
) -> LiveServer:
    """Build once (BuildFailed if the site does not build), then the site, its stories service
    and a reload channel on one app, and the watcher to run beside it."""
    rebuilder = Rebuilder(settings_file, output, overrides=dict(overrides or {}))
    report = rebuilder.full()
    config = config_from_pelican(report.settings)
    channel = ReloadChannel()
    app = site_with_stories(config, output, reload=channel)
    watcher = SiteWatcher(rebuilder, folders, say=say, announce=channel.announce, on_code=on_code)
    return LiveServer(app, config, report, watcher, channel)


def restart(changed: list[Path]) -> None:
    """Run this same command again in this process: Python code already imported cannot change.

    Open pages reconnect to the new process, see that it is new, and reload.
    """
    names = ", ".join(path.name for path in changed)
    print(f"Python code changed ({names}): restarting.", flush=True)
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
