"""Watch the site's sources and rebuild on every save: the edited article's page first.

Saving an article rewrites its page at once (a quick pass, nextround.refresh), then a full build
settles every other page; any other change (theme, pages, images, settings) gets the full build.
Changes that arrive during a build are gathered and handled together once it ends. A change to
the project's Python code cannot reach a running process: `on_code` is told, and decides.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import watchfiles

from nextround.refresh import NotRefreshable
from sitetools.build import BuildFailed
from sitetools.reload.channel import page_path
from sitetools.reload.rebuilder import Rebuilder

# After the first change, a batch is handed over once this long passes without another: an
# editor's save is often several events (write, rename, attributes).
QUIET_MS = 30
# More articles saved at once than this (a checkout, a search and replace): the full build only.
QUICK_LIMIT = 5


def _announce_nothing(event: str, data: dict[str, Any]) -> None:
    """Without a browser to tell (`invoke regenerate`)."""


@dataclass
class SiteWatcher:
    """Rebuilds `rebuilder`'s site whenever a file in `folders` or `settings_file` changes."""

    rebuilder: Rebuilder
    folders: list[Path]
    say: Callable[[str], None] = print
    announce: Callable[[str, dict[str, Any]], None] = _announce_nothing
    on_code: Callable[[list[Path]], None] | None = None
    _changes: queue.Queue[set[Path]] = field(default_factory=queue.Queue)

    def run(self, stop: threading.Event) -> None:
        """Watch and rebuild until `stop` is set (from another thread)."""
        settings_file = self.rebuilder.settings_file.resolve()
        watchers = [
            (self.folders, True, None),
            ([settings_file.parent], False, settings_file),  # editors replace the file itself
        ]
        threads = [
            threading.Thread(target=self._watch, args=(*one, stop), daemon=True) for one in watchers
        ]
        for thread in threads:
            thread.start()
        while not stop.is_set():
            try:
                changed = self._changes.get(timeout=0.2)
            except queue.Empty:
                continue
            while not self._changes.empty():
                changed |= self._changes.get_nowait()
            self.handle(changed)

    def _watch(
        self, folders: list[Path], recursive: bool, only: Path | None, stop: threading.Event
    ) -> None:
        for batch in watchfiles.watch(
            *folders,
            recursive=recursive,
            step=QUIET_MS,
            stop_event=stop,
            raise_interrupt=False,
        ):
            paths = {Path(path) for _, path in batch}
            if only is not None:
                paths &= {only}
            if paths:
                self._changes.put(paths)

    def handle(self, changed: Iterable[Path]) -> None:
        """One batch of changed files: the quick pass where it applies, then the full build."""
        changed = sorted(changed)
        settings_file = self.rebuilder.settings_file.resolve()
        code = [path for path in changed if path.suffix == ".py" and path != settings_file]
        if code and self.on_code is not None:
            self.on_code(code)
            return
        quick = self._quick(changed)
        self._full(quick)

    def _quick(self, changed: list[Path]) -> dict[str, bytes]:
        """Each saved article's page rewritten; what each page now holds, by address.

        Files gone since (an editor's temporary files, a removed article) are the full build's.
        """
        written: dict[str, bytes] = {}
        saved = [path for path in changed if path.is_file()]
        if len(saved) > QUICK_LIMIT:
            return written
        output = self.rebuilder.output
        for source in saved:
            try:
                done = self.rebuilder.quick(source)
            except NotRefreshable:
                continue  # not an article, or not one a quick pass can redo
            except BuildFailed:
                break  # the full build says what is wrong
            written[page_path(output, done.page)] = done.page.read_bytes()
            self.say(f"Rewrote {done.page.relative_to(output)} in {done.seconds:.3f} s")
        if written:
            self.announce("quick", {"pages": list(written)})
        return written

    def _full(self, quick: dict[str, bytes]) -> None:
        output = self.rebuilder.output
        try:
            report = self.rebuilder.full()
        except BuildFailed as failure:
            self.say(str(failure))
            self.announce("failed", {"problems": failure.problems})
            return
        unchanged = [path for path, held in quick.items() if _page_bytes(output, path) == held]
        self.say(f"Built {output.name}/ in {report.seconds:.2f} s")
        self.announce("full", {"unchanged": unchanged})


def _page_bytes(output: Path, path: str) -> bytes | None:
    file = output / path.lstrip("/")
    if path.endswith("/"):
        file = file / "index.html"
    try:
        return file.read_bytes()
    except OSError:
        return None
