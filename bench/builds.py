"""Build runs: our site (pelicanconf.py plus overrides) and plain Pelican (default theme, no
plugins), each in a fresh process, timed by wall clock, with the peak memory of the child (or,
in a build whose memory is measured, of the child and its worker processes together:
bench/tree_memory.py).

The wall time includes interpreter start-up and imports, because that is what an author waits
for; the in-process time (Pelican's own run) is recorded beside it.
"""

from __future__ import annotations

import contextlib
import json
import re
import runpy
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.procs import ROOT, VENV_BIN, ChildResult, run_measured, settle_disk
from bench.tree_memory import TreeMemory

SETTINGS = ROOT / "pelicanconf.py"
_PLAIN_DONE = re.compile(r"in ([0-9.]+) seconds")


@dataclass(frozen=True)
class BuildRun:
    """One build: wall seconds (process), Pelican's own seconds, CPU seconds (the build's and its
    workers'), peak memory in MiB (the build's peak RSS, or, in a build whose memory was
    watched, the sampled peak PSS of the build and its workers together when larger), that PSS
    peak and the most processes seen (None when not watched)."""

    wall: float
    inproc: float
    cpu: float
    rss_mib: float
    tree_pss_mib: float | None = None
    processes: int | None = None

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def build_timeout(articles: int) -> float:
    """Generous, but bounded: a build that hangs must not hang the harness."""
    return 120.0 + 0.5 * articles


def our_overrides(
    content: Path, cache: Path, database_url: str, secret: str, *, cached: bool = False
) -> dict[str, object]:
    overrides: dict[str, object] = {
        "PATH": str(content),
        "CACHE_PATH": str(cache),
        # The site's own COMMENTS, with the benchmark's store: a republished page must match.
        "COMMENTS": {
            **_our_settings()["COMMENTS"],  # type: ignore[dict-item]
            "database_url": database_url,
            "secret_key": secret,
        },
    }
    if cached:
        overrides.update(CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True)
    return overrides


def our_spec(
    content: Path,
    output: Path,
    cache: Path,
    database_url: str,
    secret: str,
    *,
    cached: bool = False,
) -> dict[str, object]:
    """What bench/build_child.py (and the profiler's child) builds our site from."""
    return {
        "settings": str(SETTINGS),
        "output": str(output),
        "overrides": our_overrides(content, cache, database_url, secret, cached=cached),
    }


def build_ours(
    content: Path,
    output: Path,
    *,
    cache: Path,
    database_url: str,
    secret: str,
    log_dir: Path,
    name: str,
    articles: int,
    cached: bool = False,
    fresh_output: bool = True,
    watch_memory: bool = False,
) -> BuildRun:
    """One full (or, with `cached`, content-cached) build of our site in a fresh process; with
    `watch_memory`, the memory of its whole process tree is sampled (`_watched`)."""
    if fresh_output:
        shutil.rmtree(output, ignore_errors=True)
    spec = our_spec(content, output, cache, database_url, secret, cached=cached)
    spec_file = log_dir / f"{name}.json"
    log_dir.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(json.dumps(spec), "utf-8")
    settle_disk()
    with _watched(watch_memory) as tree:
        result = run_measured(
            [sys.executable, "-m", "bench.build_child", str(spec_file)],
            log_dir=log_dir,
            name=name,
            timeout=build_timeout(articles),
        )
    inproc = json.loads(result.stdout.strip().splitlines()[-1])["seconds"]
    return _run(result, inproc, tree)


def _watched(watch: bool) -> contextlib.AbstractContextManager[TreeMemory | None]:
    """The tree's memory sampler, only for a build whose memory is measured: it reads every
    process's page tables 50 times a second, and that CPU comes out of a build that uses both
    cores (8 % more wall time at N=1,000 here) but not out of a build on one core, which leaves
    it the other. Timed builds therefore run unwatched."""
    return TreeMemory() if watch else contextlib.nullcontext()


def _run(result: ChildResult, inproc: float, tree: TreeMemory | None) -> BuildRun:
    """wait4's CPU time already holds the workers' (the build waits for them). Its peak RSS is
    the build process's alone (or its largest worker's), so the tree's sampled peak PSS is taken
    when larger: what the build and its workers held at once."""
    own_kib = result.max_rss_kib
    if tree is None:
        return BuildRun(result.seconds, inproc, result.cpu_seconds, own_kib / 1024)
    return BuildRun(
        result.seconds,
        inproc,
        result.cpu_seconds,
        max(own_kib, tree.peak_kib) / 1024,
        tree.peak_kib / 1024,
        tree.most_processes,
    )


def plain_settings(content: Path, cache: Path, *, cached: bool = False) -> str:
    """A plain Pelican 4.12 settings file: default theme, no plugins, default MARKDOWN.

    Only what changes the amount of work matches our site: pagination, the feed set and the
    URL layout (a folder per page, as ours, costs a directory per file), so the comparison is
    about the theme and plugins, not about how many pages or folders each side writes.
    RELATIVE_URLS is on, as pelican-quickstart sets it, so the build works on any local port.
    """
    layout = {key: value for key, value in _our_settings().items() if key in URL_LAYOUT}
    return "\n".join(
        [
            '"""Plain Pelican peer for the benchmark (generated by bench/builds.py)."""',
            'AUTHOR = "Next Round editors"',
            'SITENAME = "Next Round"',
            'SITEURL = "http://127.0.0.1:8000"',
            f"PATH = {str(content)!r}",
            'ARTICLE_PATHS = ["articles"]',
            'PAGE_PATHS = ["pages"]',
            'TIMEZONE = "Europe/London"',
            'DEFAULT_LANG = "en"',
            "RELATIVE_URLS = True",
            "DEFAULT_PAGINATION = 10",
            "PLUGINS = []",
            "PLUGIN_PATHS = []",
            'FEED_ALL_ATOM = "feeds/all.atom.xml"',
            'CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"',
            "AUTHOR_FEED_ATOM = None",
            "AUTHOR_FEED_RSS = None",
            "TRANSLATION_FEED_ATOM = None",
            f"CACHE_PATH = {str(cache)!r}",
            f"CACHE_CONTENT = {cached!r}",
            f"LOAD_CONTENT_CACHE = {cached!r}",
            *(f"{key} = {value!r}" for key, value in sorted(layout.items())),
            "",
        ]
    )


URL_LAYOUT = frozenset(
    f"{kind}_{what}"
    for kind in ("ARTICLE", "PAGE", "CATEGORY", "TAG", "AUTHOR", "CATEGORIES", "TAGS", "AUTHORS")
    for what in ("URL", "SAVE_AS")
) | {"ARCHIVES_SAVE_AS", "PAGINATION_PATTERNS"}


def _our_settings() -> dict[str, object]:
    """pelicanconf.py's own values, so the peer's layout follows any change to ours."""
    return runpy.run_path(str(SETTINGS))


def plain_argv(content: Path, output: Path, settings: Path) -> list[str]:
    """The `pelican` command's arguments for one plain build."""
    return [str(content), "-o", str(output), "-s", str(settings)]


def build_plain(
    content: Path,
    output: Path,
    *,
    cache: Path,
    log_dir: Path,
    name: str,
    articles: int,
    cached: bool = False,
    fresh_output: bool = True,
    watch_memory: bool = False,
) -> BuildRun:
    """One build with the `pelican` command, exactly as a user of plain Pelican would run it."""
    if fresh_output:
        shutil.rmtree(output, ignore_errors=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    settings = log_dir / f"{name}-pelicanconf.py"
    settings.write_text(plain_settings(content, cache, cached=cached), "utf-8")
    settle_disk()
    with _watched(watch_memory) as tree:
        result = run_measured(
            [str(VENV_BIN / "pelican"), *plain_argv(content, output, settings)],
            log_dir=log_dir,
            name=name,
            timeout=build_timeout(articles),
        )
    done = _PLAIN_DONE.search(result.stdout + result.stderr)
    inproc = float(done.group(1)) if done else result.seconds
    return _run(result, inproc, tree)
