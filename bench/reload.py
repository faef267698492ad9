"""Edit to reload: from saving one article to its page rewritten on disk, under a watcher.

Ours is `invoke regenerate`'s watcher (bench/reload_child.py): the saved article's page first,
then a full build. Plain Pelican is `pelican -r` with its content cache on, its fastest: every
save runs a whole build. Each side runs in its own process, started and primed once; the parent
appends a sentence to the article and reads the page until the sentence is there, then waits
for the side's build to finish before the next save.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.builds import our_spec, plain_argv, plain_settings
from bench.procs import VENV_BIN, child_env, settle_disk
from bench.reload_child import READY
from bench.stats import median

POLL_SECONDS = 0.002
LIMIT_SECONDS = 120.0


class _Side:
    """A watcher process and the lines it prints, read by a thread of their own."""

    def __init__(self, command: list[str], log: Path) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self._log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=child_env(),
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._log.write(line)
            self.lines.put(line)

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + LIMIT_SECONDS
        while time.monotonic() < deadline:
            try:
                if text in self.lines.get(timeout=1):
                    return
            except queue.Empty:
                if self.process.poll() is not None:
                    break
        raise RuntimeError(f"{self.process.args} never said {text!r}; see {self._log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def _save_and_time(source: Path, page: Path, marker: str) -> float:
    """Seconds from the save (one write, as an editor makes it) to the marker in the page."""
    text = source.read_text("utf-8") + f"\n{marker}\n"
    started = time.perf_counter()
    source.write_text(text, "utf-8")
    deadline = started + LIMIT_SECONDS
    while time.perf_counter() < deadline:
        try:
            if marker in page.read_text("utf-8"):
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"{page} never showed {marker!r}")


def _measure(side: _Side, source: Path, page: Path, done: str, name: str, runs: int) -> dict:
    seconds = []
    try:
        for run in range(runs):
            settle_disk()
            seconds.append(_save_and_time(source, page, f"{name} reload marker {run}."))
            side.wait_for(done)  # the rest of the rebuild, before the next save
    finally:
        side.stop()
    return {"median": median(seconds), "runs": seconds}


def measure_reload(
    folder: Path, slug: str, runs: int, database_url: str, secret: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ours and plain Pelican, each from a copy of the benchmark's content."""
    import shutil

    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results = {}
    for side in ("ours", "plain"):
        content = folder / f"content-{side}-reload"
        output = folder / f"out-{side}-reload"
        shutil.rmtree(content, ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)
        shutil.copytree(folder / "content-tips", content)
        cache = folder / f"cache-{side}-reload"
        if side == "ours":
            spec = our_spec(content, output, cache, database_url, secret)
            spec_file = logs / "ours-reload.json"
            spec_file.write_text(json.dumps(spec), "utf-8")
            command = [sys.executable, "-m", "bench.reload_child", str(spec_file)]
            ready, done = READY, "Built "
        else:
            settings = logs / "plain-reload-pelicanconf.py"
            settings.write_text(plain_settings(content, cache, cached=True), "utf-8")
            command = [str(VENV_BIN / "pelican"), "-r", *plain_argv(content, output, settings)]
            ready = done = "Done: Processed"
        running = _Side(command, logs / f"{side}-reload.log")
        running.wait_for(ready)
        time.sleep(1)  # the watches are in place
        source = content / "articles" / f"{slug}.md"
        page = output / slug / "index.html"
        results[side] = _measure(running, source, page, done, side, runs)
        shutil.rmtree(output, ignore_errors=True)
    return results["ours"], results["plain"]
