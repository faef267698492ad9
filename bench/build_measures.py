"""The build measures at one corpus size: full builds of ours, plain Pelican and the
tips-as-headings variant (runs interleaved so drifts of the machine hit every side, each round
starting one side later), then the cached rebuild after a one-article edit, ours and plain
interleaved too.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from bench.builds import BuildRun, build_ours, build_plain
from bench.corpus import HEADINGS, TIPS, write_corpus
from bench.hugo_peer import build_hugo, write_site
from bench.reload import measure_reload
from bench.stats import median
from bench.stories_seed import seed_store

T = TypeVar("T")

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
BIG = 5000  # from this size on, no variants and fewer runs: each costs a minute
# Runs at BIG: its wall, CPU and memory are judged against targets, and one run on this
# shared machine can land in a minute when another tenant holds a core.
BIG_RUNS = 3
# 5 approved by function, 5 by the command line alone, 5 handed to the running service, 1 traced
PENDING_FOR_APPROVE = 16


def _summary(runs: list[BuildRun], memory: BuildRun | None = None) -> dict[str, Any]:
    """Medians of the timed runs; the peak memory is the `memory` run's when there is one (a
    build of its own with its process tree watched), else the timed runs' largest peak RSS."""
    summary = {
        "runs": [r.as_dict() for r in runs],
        "wall": median([r.wall for r in runs]),
        "inproc": median([r.inproc for r in runs]),
        "cpu": median([r.cpu for r in runs]),
        "rss_mib": max(r.rss_mib for r in runs),
    }
    if memory is not None:
        summary["rss_mib"] = memory.rss_mib
        summary["memory_run"] = memory.as_dict()
    return summary


def _edit(content: Path, slug: str, run: int) -> None:
    """The one-article edit of the cached-rebuild measure: append a sentence."""
    path = content / "articles" / f"{slug}.md"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nEdited for cached rebuild number {run}.\n")


def rotated(sides: Sequence[T], run: int) -> list[T]:
    """The sides in the order of round `run`: each round starts one side later, so no side is
    always the first build after the last round's (or the warm-up's), nor always the last."""
    turn = run % len(sides) if sides else 0
    return [*sides[turn:], *sides[:turn]]


def measure_size(
    n: int,
    folder: Path,
    runs: int,
    stories_per_article: int,
    replies_per_article: int,
    log: Callable[[str], None],
    hugo: Path | None = None,
) -> dict[str, Any]:
    """Every build measure at one corpus size, in `folder` (emptied first); with ``hugo`` (its
    binary), Hugo builds the same articles in the same rounds, as a reference."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    logs = folder / "logs"
    specs = write_corpus(folder / "content-tips", n, TIPS)
    write_corpus(folder / "content-headings", n, HEADINGS)
    database = folder / "stories.sqlite3"
    url = f"sqlite:///{database}"
    started = time.perf_counter()
    seeded = seed_store(
        url,
        specs,
        stories_per_article,
        replies_per_article,
        pending=PENDING_FOR_APPROVE,
    )
    seed_seconds = time.perf_counter() - started
    log(f"N={n}: corpus written, {seeded.approved} stories seeded in {seed_seconds:.1f} s")
    if hugo is not None:
        write_site(folder / "content-tips", folder / "hugo-site")
    runs = runs if n < BIG else min(runs, BIG_RUNS)
    ours, plain, headings, hugos = [], [], [], []
    common = {"log_dir": logs, "articles": n}

    def ours_side(content: str, side: str, name: str, **extra: Any) -> BuildRun:
        """A build of our site from `content`, into the output and cache folders of `side`."""
        return build_ours(
            folder / content,
            folder / f"out-{side}",
            cache=folder / f"cache-{side}",
            name=name,
            database_url=url,
            secret=SECRET,
            **common,
            **extra,
        )

    def plain_side(name: str, **extra: Any) -> BuildRun:
        return build_plain(
            folder / "content-tips",
            folder / "out-plain",
            cache=folder / "cache-plain",
            name=name,
            **common,
            **extra,
        )

    # A site's first build draws its share cards into CACHE_PATH, where every later build finds
    # them (as on an author's machine or a server after the first publish): one untimed build
    # per side that keeps such a cache, so the timed runs are alike.
    warm_ups = [("content-tips", "ours")] + ([("content-headings", "headings")] if n < BIG else [])
    for content, side in warm_ups:
        ours_side(content, side, f"{side}-warm-up")
    log(f"N={n}: share cards drawn by an untimed build of each side that keeps them")
    sides: list[tuple[list[BuildRun], Callable[[int], BuildRun]]] = [
        (ours, lambda run: ours_side("content-tips", "ours", f"ours-{run}")),
        (plain, lambda run: plain_side(f"plain-{run}")),
    ]
    if n < BIG:
        sides.append(
            (headings, lambda run: ours_side("content-headings", "headings", f"headings-{run}"))
        )
    if hugo is not None:
        sides.append(
            (
                hugos,
                lambda run: build_hugo(
                    hugo,
                    folder / "hugo-site",
                    folder / "out-hugo",
                    log_dir=logs,
                    name=f"hugo-{run}",
                    articles=n,
                ),
            )
        )
    for run in range(runs):
        for results, build in rotated(sides, run):
            results.append(build(run))
        log(
            f"N={n}: run {run + 1}/{runs}: ours {ours[-1].wall:.2f} s, plain {plain[-1].wall:.2f} s"
            + (f", Hugo {hugos[-1].wall:.2f} s" if hugos else "")
        )
    # Memory is measured in one more build of each side, with its process tree watched; the
    # timed builds above run without the sampler (builds._watched says why).
    ours_memory = ours_side("content-tips", "ours", "ours-memory", watch_memory=True)
    plain_memory = plain_side("plain-memory", watch_memory=True)
    log(f"N={n}: memory: ours {ours_memory.rss_mib:.0f} MiB, plain {plain_memory.rss_mib:.0f} MiB")
    result: dict[str, Any] = {
        "articles": n,
        "stories": asdict(seeded),
        "ours": _summary(ours, ours_memory),
        "plain": _summary(plain, plain_memory),
    }
    if headings:
        result["headings"] = _summary(headings)
    if hugos:
        result["hugo"] = _summary(hugos)
    if n < BIG:
        result["cached"], result["plain_cached"] = measure_cached(folder, specs[0].slug, n, runs)
        log(f"N={n}: cached rebuilds done")
        result["reload"], result["plain_reload"] = measure_reload(
            folder, specs[0].slug, runs, url, SECRET
        )
        log(
            f"N={n}: edit to reload: ours {result['reload']['median']:.3f} s, "
            f"plain {result['plain_reload']['median']:.3f} s"
        )
    for variant in (
        "out-plain",
        "out-headings",
        "out-ours-cached",
        "out-plain-cached",
        "content-ours-reload",
        "content-plain-reload",
        "out-hugo",
        "hugo-site",
    ):
        shutil.rmtree(folder / variant, ignore_errors=True)
    return result


def _cached_build(side: str, folder: Path, name: str, n: int, fresh: bool) -> BuildRun:
    """One build with Pelican's content cache on, for `side` ("ours" or "plain")."""
    content, output = folder / f"content-{side}-cached", folder / f"out-{side}-cached"
    common = {"cache": folder / f"cache-{side}-cached", "log_dir": folder / "logs", "name": name}
    if side == "ours":
        url = f"sqlite:///{folder / 'stories.sqlite3'}"
        return build_ours(
            content,
            output,
            database_url=url,
            secret=SECRET,
            articles=n,
            cached=True,
            fresh_output=fresh,
            **common,
        )
    return build_plain(content, output, articles=n, cached=True, fresh_output=fresh, **common)


def measure_cached(folder: Path, slug: str, n: int, runs: int) -> tuple[dict, dict]:
    """Prime Pelican's content cache, edit one article, rebuild; ours and plain interleaved."""
    sides = ("ours", "plain")
    primes, rebuilds = {}, {side: [] for side in sides}
    for side in sides:
        shutil.copytree(folder / "content-tips", folder / f"content-{side}-cached")
        primes[side] = _cached_build(side, folder, f"{side}-cache-prime", n, fresh=True)
    for run in range(runs):
        for side in sides:
            _edit(folder / f"content-{side}-cached", slug, run)
            rebuilds[side].append(_cached_build(side, folder, f"{side}-cached-{run}", n, False))
    ours, plain = ({**_summary(rebuilds[s]), "prime": primes[s].as_dict()} for s in sides)
    return ours, plain
