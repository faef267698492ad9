"""Child entry point: build our site once, in-process, and print the build's own time as JSON.

Run as `python -m bench.build_child SPEC.json` by bench/builds.py, one fresh process per build,
so the parent's wall clock and wait4 figures cover exactly one build. The spec holds the
settings file, output folder and Pelican overrides (see builds.our_spec).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from pelican.log import init as init_logging

from sitetools.build import BuildReport, build_site


def build(spec: dict[str, Any]) -> BuildReport:
    """One build of our site from a spec; bench/profile_child.py profiles this same call."""
    init_logging(level=logging.WARNING)
    return build_site(
        Path(spec["settings"]), Path(spec["output"]), spec["overrides"], search_index=False
    )


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    print(json.dumps({"seconds": build(spec).seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
