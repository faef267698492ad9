"""Where the tip boxes' extra build time goes: both corpus variants built in one process, with a
clock on every stage tip boxes add to or make longer.

A sampling profiler spreads a difference of a few hundred milliseconds over thousands of frames;
this times named stages exactly. Run as `python -m bench.tip_cost SPEC.json OUT.json`, where the
spec holds our build spec for each side ("tips", "headings") and the number of runs. Builds
alternate between the sides after one warm-up build each (imports, template compilation), and
each stage's figure is its median over the runs.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.build_child import build
from bench.stats import median

SIDES = ("tips", "headings")

# (key, what the report calls it); "markdown" holds the four tip processors below it.
STAGES = (
    ("build", "Whole build (Pelican's run, in-process)"),
    ("markdown", "Markdown conversion, all of it"),
    ("tip_prepass", 'tip pre-pass: counting the page\'s "///" (the planner runs when needed)'),
    ("tip_blocks", "tip block processor: reading and rendering each tip (body parsing left out)"),
    ("tip_collect", "plain-text collection for md.tips (TipCollectTreeprocessor)"),
    ("tip_fragments", "the box's fixed HTML put in place (TipFragmentPostprocessor)"),
    ("tip_features", 'HowTo JSON-LD and the "4 tips" label (tipboxes.page_features)'),
    ("tips_page", "the /tips/ page"),
    ("article_pages", "article pages: template and writing"),
    ("link_scans", "Pelican's intrasite-link scans"),
)
TIP_PROCESSORS = ("tip_prepass", "tip_blocks", "tip_collect", "tip_fragments")


class Clocks:
    """Seconds per stage for the build under way."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.in_tip_block = False

    def timed(self, key: str, function: Callable[..., Any]) -> Callable[..., Any]:
        # wraps() keeps the function's attributes, such as the plugin's mark on link scans.
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - started

        return wrapper


@contextmanager
def instrumented(clocks: Clocks) -> Iterator[None]:
    """Clocks on the stages' functions for the duration; the originals are put back after."""
    import markdown
    from markdown.blockparser import BlockParser
    from pelican.contents import Content
    from pelican.writers import Writer

    from nextround import links
    from tipboxes import collect, fragments
    from tipboxes import extension as tipbox
    from tipboxes import page_features as tip_features
    from tipboxes import pelican_glue as tips

    # The plugin's skip goes on first, as registering the plugin would put it, so the clock on
    # the link scans counts its quick test too.
    links.skip_impossible_link_scans()

    def article_pages(function: Callable[..., Any]) -> Callable[..., Any]:
        timed = clocks.timed("article_pages", function)

        def write_file(self: Any, name: str, template: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(template, "name", "") == "article.html":
                return timed(self, name, template, *args, **kwargs)
            return function(self, name, template, *args, **kwargs)

        return write_file

    def tip_blocks(function: Callable[..., Any]) -> Callable[..., Any]:
        timed = clocks.timed("tip_blocks", function)

        def run(*args: Any, **kwargs: Any) -> Any:
            clocks.in_tip_block = True
            try:
                return timed(*args, **kwargs)
            finally:
                clocks.in_tip_block = False

        return run

    def body_parsing(function: Callable[..., Any]) -> Callable[..., Any]:
        timed = clocks.timed("tip_body_parsing", function)

        def parse_blocks(*args: Any, **kwargs: Any) -> Any:
            if clocks.in_tip_block:
                clocks.in_tip_block = False  # the body's own nested blocks count once
                try:
                    return timed(*args, **kwargs)
                finally:
                    clocks.in_tip_block = True
            return function(*args, **kwargs)

        return parse_blocks

    patches: list[tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
        (markdown.Markdown, "convert", lambda f: clocks.timed("markdown", f)),
        (tipbox.TipPlanPreprocessor, "run", lambda f: clocks.timed("tip_prepass", f)),
        (tipbox.TipBlockProcessor, "run", tip_blocks),
        (BlockParser, "parseBlocks", body_parsing),
        (collect.TipCollectTreeprocessor, "run", lambda f: clocks.timed("tip_collect", f)),
        (fragments.TipFragmentPostprocessor, "run", lambda f: clocks.timed("tip_fragments", f)),
        (tip_features, "attach_tip_features", lambda f: clocks.timed("tip_features", f)),
        (tips.TipsPageGenerator, "generate_output", lambda f: clocks.timed("tips_page", f)),
        (Writer, "write_file", article_pages),
        (Content, "_update_content", lambda f: clocks.timed("link_scans", f)),
        (Content, "get_static_links", lambda f: clocks.timed("link_scans", f)),
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    try:
        for owner, name, wrap in patches:
            setattr(owner, name, wrap(getattr(owner, name)))
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def one_build(spec: dict[str, Any]) -> dict[str, float]:
    clocks = Clocks()
    with instrumented(clocks):
        started = time.perf_counter()
        build(spec)
        clocks.seconds["build"] = time.perf_counter() - started
    seconds = dict(clocks.seconds)
    seconds["tip_blocks"] = seconds.get("tip_blocks", 0.0) - seconds.pop("tip_body_parsing", 0.0)
    return seconds


def measure(specs: dict[str, dict[str, Any]], runs: int) -> dict[str, Any]:
    """Stage medians per side, their differences, and what no stage accounts for."""
    for side in SIDES:
        one_build(specs[side])  # warm-up: imports and compiled templates are then shared
    builds: dict[str, list[dict[str, float]]] = {side: [] for side in SIDES}
    for _ in range(runs):
        for side in SIDES:
            builds[side].append(one_build(specs[side]))
    stages = []
    for key, label in STAGES:
        tips, headings = (median([b.get(key, 0.0) for b in builds[side]]) for side in SIDES)
        stages.append(
            {
                "key": key,
                "label": label,
                "tips": tips,
                "headings": headings,
                "part_of_markdown": key in TIP_PROCESSORS,
            }
        )
    by_key = {s["key"]: s["tips"] - s["headings"] for s in stages}
    markdown_rest = by_key["markdown"] - sum(by_key[k] for k in TIP_PROCESSORS)
    named = ("markdown", "tip_features", "tips_page", "article_pages", "link_scans")
    spread = max(
        max(b["build"] for b in builds[side]) - min(b["build"] for b in builds[side])
        for side in SIDES
    )
    return {
        "runs": runs,
        "stages": stages,
        "build_spread": spread,  # how far one side's whole builds varied between runs
        "difference": by_key["build"],
        "markdown_rest": markdown_rest,
        "unattributed": by_key["build"] - sum(by_key[k] for k in named),
    }


def run_child(
    folder: Path,
    work: Path,
    database_url: str,
    secret: str,
    runs: int,
    settings: dict[str, Any] | None = None,
) -> Any:
    """Measure the corpus at `folder` (as bench/build_measures.py wrote it) in a fresh process;
    `settings` are added to both sides' Pelican settings."""
    from bench.builds import our_spec
    from bench.procs import run_measured

    work.mkdir(parents=True, exist_ok=True)
    specs = {}
    for side in SIDES:
        spec = our_spec(
            folder / f"content-{side}",
            work / f"out-{side}",
            work / f"cache-{side}",
            database_url,
            secret,
        )
        # One process: the clocks are in this one, and what a worker converts or a forked
        # share writes would never reach them.
        spec["overrides"].update({**(settings or {}), "BUILD_PROCESSES": 1})  # type: ignore[union-attr]
        specs[side] = spec
    spec_file, out_file = work / "tip-cost.json", work / "tip-cost-result.json"
    spec_file.write_text(json.dumps({"sides": specs, "runs": runs}), "utf-8")
    child = run_measured(
        [sys.executable, "-m", "bench.tip_cost", str(spec_file), str(out_file)],
        log_dir=work,
        name="tip-cost",
        timeout=1800,
    )
    if child.returncode != 0:
        raise RuntimeError(f"bench.tip_cost failed: {child.stderr[-2000:]}")
    return json.loads(out_file.read_text("utf-8"))


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    result = measure(spec["sides"], int(spec["runs"]))
    Path(argv[1]).write_text(json.dumps(result, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
