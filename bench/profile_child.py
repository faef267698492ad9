"""Child entry point, run with the profiler venv's Python: one build under pyinstrument.

`python -m bench.profile_child SPEC.json TEXT_OUT JSON_OUT`. The spec says which build ("ours":
build_site with our settings; "plain": the `pelican` command's main()). Besides pyinstrument's
text tree it writes each function's inclusive time (recursion counted once), which the report
turns into "what dominates".
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyinstrument import Profiler


def _name(frame: Any) -> str:
    """ "Class.method" where pyinstrument knows the class, as its text tree shows them."""
    return f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function


def _walk(frame: Any, on_stack: frozenset[tuple[str, str]]) -> Iterator[tuple[Any, bool]]:
    key = (_name(frame), frame.file_path_short or "")
    outermost = key not in on_stack
    yield frame, outermost
    below = on_stack | {key}
    for child in frame.children:
        yield from _walk(child, below)


def inclusive_times(root: Any) -> list[dict[str, Any]]:
    totals: dict[tuple[str, str], float] = {}
    lines: dict[tuple[str, str], int] = {}
    for frame, outermost in _walk(root, frozenset()):
        if outermost and frame.function and not frame.is_synthetic:
            key = (_name(frame), frame.file_path_short or "")
            totals[key] = totals.get(key, 0.0) + frame.time
            lines.setdefault(key, frame.line_no or 0)
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return [
        {"function": f, "file": p, "line": lines[(f, p)], "seconds": round(s, 4)}
        for (f, p), s in ranked[:400]
    ]


def _run(spec: dict[str, Any]) -> None:
    if spec["kind"] == "ours":
        from bench.build_child import build

        build(spec)
    else:
        from pelican import main as pelican_main

        pelican_main(spec["argv"])


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    profiler = Profiler(interval=0.001)
    profiler.start()
    _run(spec)
    session = profiler.stop()
    Path(argv[1]).write_text(profiler.output_text(unicode=True, color=False), "utf-8")
    root = session.root_frame()
    result = {"total": root.time if root else 0.0, "functions": inclusive_times(root)}
    Path(argv[2]).write_text(json.dumps(result), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
