"""Child entry point: what `invoke regenerate` runs, on the benchmark's site.

Run as `python -m bench.reload_child SPEC.json` by bench/reload.py: one full build, then the
watcher, with every line it says on standard output (the parent waits for them).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path

from pelican.log import init as init_logging

from sitetools.reload.rebuilder import Rebuilder
from sitetools.reload.watch import SiteWatcher

READY = "watching"


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    init_logging(level=logging.WARNING)
    rebuilder = Rebuilder(Path(spec["settings"]), Path(spec["output"]), True, spec["overrides"])
    rebuilder.full()
    watcher = SiteWatcher(rebuilder, [Path(spec["overrides"]["PATH"])], say=_say)
    _say(READY)
    watcher.run(threading.Event())  # until the parent stops this process
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
