"""`invoke bench`: every measure side by side in one run, then bench/results/latest.{md,json}.

The order is chosen so that nothing measured disturbs what is measured next: all builds per
size first (runs interleaved ours / plain / headings so drifts of the machine hit every side),
then approve-to-live on the last build at N=1000 (it edits that site), then the intake against
Isso, page weight, a flood of spam among readers' stories, and the profiles of whatever missed
its target.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    approve,
    charts,
    flood,
    hugo_peer,
    intake_load,
    machine,
    page_weight,
    procs,
    profiling,
    report,
    rows,
    tip_cost,
)
from bench.build_measures import BIG, SECRET, measure_size
from bench.corpus import article_markdown, word_count
from bench.procs import ROOT
from bench.stats import median

FULL_FLOOD = flood.FloodPlan()


@dataclass(frozen=True)
class Options:
    """What to run. The defaults are the full run that bench/results/latest.md comes from."""

    sizes: tuple[int, ...] = (100, 1000, 5000)
    runs: int = 5  # per size below 5,000; the machine drifts, medians of five hold still
    stories_per_article: int = 10
    replies_per_article: int = 2
    isso: bool = True
    hugo: bool = True  # Hugo builds the same articles, as a reference row
    intake_requests: int = 2000
    intake_runs: int = 3
    intake_time_cap: float = 60.0
    intake_workers: int = os.cpu_count() or 1  # `invoke intake --workers N`, one per core
    approve: bool = True
    page_weight: bool = True
    flood: flood.FloodPlan | None = FULL_FLOOD
    profile: bool = True  # profile only where a target is missed
    work: Path = ROOT / "bench" / "work" / "run"
    results: Path = ROOT / "bench" / "results"

    @classmethod
    def quick(cls, **changes: Any) -> Options:
        """Sizes 100 and 1000, one run each, a shorter intake load: a few minutes."""
        plan = flood.FloodPlan(bots=2000, networks=100, readers=50)
        base = cls(sizes=(100, 1000), runs=1, intake_requests=1000, intake_runs=1, flood=plan)
        return replace(base, **changes)

    @property
    def approve_size(self) -> int:
        return 1000 if 1000 in self.sizes else min(self.sizes)

    @property
    def intake_plan(self) -> intake_load.LoadPlan:
        """The intake load, for the throughput measure and for its profile alike."""
        return intake_load.LoadPlan(
            total=self.intake_requests, time_cap=self.intake_time_cap, workers=self.intake_workers
        )


@dataclass
class Progress:
    """Progress lines on stdout; also notes the machine's load, which the report states."""

    started: float = field(default_factory=time.perf_counter)
    epoch: float = field(default_factory=time.time)
    loads: list[float] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        self.loads.append(os.getloadavg()[0])
        self.events.append((round(elapsed, 1), message))
        print(f"[{elapsed:7.1f} s] {message}", flush=True)


def _missed_build_targets(builds: dict[str, Any], n: int) -> bool:
    size = builds.get(str(n))
    if not size:
        return False
    ours, plain = size["ours"], size["plain"]
    return (
        ours["cpu"] / plain["cpu"] > rows.TARGET_BUILD_CPU_RATIO
        or ours["wall"] / plain["wall"] > rows.TARGET_BUILD_WALL_RATIO
        or _missed_tips_target(builds, n)
    )


def _missed_tips_target(builds: dict[str, Any], n: int) -> bool:
    size = builds.get(str(n))
    if not size or "headings" not in size:
        return False
    return bool(size["ours"]["cpu"] / size["headings"]["cpu"] > rows.TARGET_TIPS_RATIO)


def _missed_intake_targets(intake: dict[str, Any] | None) -> bool:
    if not intake or not intake.get("ours"):
        return False
    ours, isso = intake["ours"], intake.get("isso")
    slow = isso is not None and ours["per_second"] < rows.TARGET_INTAKE_RATIO * isso["per_second"]
    return slow or ours["p99_ms"] > rows.TARGET_P99_MS


def _guarded(name: str, problems: list[str], log: Progress, work: Any) -> Any:
    """Run one optional measure; a failure is reported in the results, not a lost run."""
    try:
        return work()
    except Exception as exc:  # one measure failing must not lose the others
        problems.append(f"{name}: {type(exc).__name__}: {exc}")
        log(f"{name} FAILED: {exc}")
        return None


def run(options: Options) -> dict[str, Any]:
    log = Progress()
    options.work.mkdir(parents=True, exist_ok=True)
    procs.compile_project()
    problems: list[str] = []
    words = [word_count(article_markdown(i)) for i in range(200)]
    results: dict[str, Any] = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()},
        "corpus": {
            "words_per_article_mean": round(statistics.mean(words)),
            "tips_per_article": 4,
            "stories_per_article": options.stories_per_article,
            "replies_per_article": options.replies_per_article,
        },
        "builds": {},
        "problems": problems,
    }
    hugo = _guarded("hugo", problems, log, hugo_peer.ensure_hugo) if options.hugo else None
    results["hugo_version"] = hugo_peer.version() if hugo else None
    for n in sorted(options.sizes):
        results["builds"][str(n)] = measure_size(
            n,
            options.work / f"N{n}",
            options.runs,
            options.stories_per_article,
            options.replies_per_article,
            log,
            hugo,
        )
    build_loads = list(log.loads)
    results["approve"] = None
    if options.approve:
        n = options.approve_size
        folder = options.work / f"N{n}"
        pending = results["builds"][str(n)]["stories"]
        log(f"approve to live at N={n}")
        results["approve"] = _guarded(
            "approve to live",
            problems,
            log,
            lambda: approve.measure(
                site=folder / "out-ours",
                database=folder / "stories.sqlite3",
                content=folder / "content-tips",
                work=options.work / "approve",
                secret=SECRET,
                pending=list(zip(pending["pending_ids"], pending["pending_articles"], strict=True)),
                articles=n,
                log=log,
            ),
        )
    log("intake throughput")
    results["intake"] = _guarded(
        "intake",
        problems,
        log,
        lambda: intake_load.measure(
            options.work / "intake",
            SECRET,
            options.intake_plan,
            options.intake_runs,
            options.isso,
            log,
        ),
    )
    results["page_weight"] = None
    if options.page_weight:
        log("page weight")
        results["page_weight"] = _guarded(
            "page weight",
            problems,
            log,
            lambda: page_weight.measure(options.work / "page-weight", SECRET, log),
        )
    results["flood"] = None
    if options.flood is not None:
        # The intake as the throughput measure runs it: production's worker processes.
        plan = replace(options.flood, workers=options.intake_workers)
        results["flood"] = _guarded(
            "flood", problems, log, lambda: flood.measure(options.work / "flood", SECRET, plan, log)
        )
    results["profile"] = {}
    if options.profile:
        results["profile"] = profile_misses(options, results, problems, log)
    log("writing the report")
    # Sampled while the builds ran: they run one process at a time, so a 1-minute load well
    # above 1 means other processes were competing (later measures load the machine themselves).
    results["load_average"] = {"max_1min": max(build_loads), "median_1min": median(build_loads)}
    results["code_at_end"] = machine.code_state()
    results["code_changed_during_run"] = machine.changed_since(log.epoch)
    results["timeline"] = log.events
    return results


def profile_misses(
    options: Options, results: dict[str, Any], problems: list[str], log: Progress
) -> dict[str, Any]:
    """Profile the build (at the target's size) and the intake, if they missed their targets."""
    profiles: dict[str, Any] = {"builds": []}
    n = options.approve_size
    if _missed_build_targets(results["builds"], n):
        # At the target's size both sides; at the largest size ours alone, to show what grows.
        planned = [(n, ("ours", "plain"))]
        planned += [(big, ("ours",)) for big in options.sizes if big >= BIG]
        for size, sides in planned:
            log(f"profiling the build at N={size} ({', '.join(sides)}; pyinstrument)")
            folder = options.work / f"N{size}"
            found = _guarded(
                "build profile",
                problems,
                log,
                lambda folder=folder, size=size, sides=sides: profiling.profile_builds(
                    folder / "content-tips",
                    f"sqlite:///{folder / 'stories.sqlite3'}",
                    SECRET,
                    options.work / f"profile-build-N{size}",
                    options.results / "profiles",
                    f"N{size}",
                    sides,
                ),
            )
            if found:
                profiles["builds"].append({"size": size, **found})
    if _missed_tips_target(results["builds"], n):
        log(f"timing the tip boxes' stages at N={n} (tips and headings, in-process)")
        folder = options.work / f"N{n}"
        profiles["tip_cost"] = _guarded(
            "tip-box stages",
            problems,
            log,
            lambda: tip_cost.run_child(
                folder,
                options.work / f"tip-cost-N{n}",
                f"sqlite:///{folder / 'stories.sqlite3'}",
                SECRET,
                runs=3,
            ),
        )
        if profiles["tip_cost"]:
            profiles["tip_cost"]["size"] = n
    if _missed_intake_targets(results.get("intake")):
        log("profiling the intake under load (py-spy)")
        profiles["intake"] = _guarded(
            "intake profile",
            problems,
            log,
            lambda: profiling.profile_intake(
                options.work / "profile-intake",
                SECRET,
                options.intake_plan,
                options.results / "profiles",
            ),
        )
    return profiles


def main(
    *,
    sizes: str = "",
    runs: int = 0,
    skip_isso: bool = False,
    skip_hugo: bool = False,
    quick: bool = False,
    profile: bool = True,
) -> Path:
    """`invoke bench`: the task's options over the defaults (or over --quick's)."""
    options = Options.quick() if quick else Options()
    changes: dict[str, Any] = {"isso": not skip_isso, "hugo": not skip_hugo, "profile": profile}
    if sizes:
        changes["sizes"] = tuple(int(n) for n in sizes.split(","))
    if runs:
        changes["runs"] = changes["intake_runs"] = runs
    return run_and_write(replace(options, **changes))


def run_and_write(options: Options) -> Path:
    """Run everything and write the report; returns the Markdown report's path."""
    shutil.rmtree(options.results / "profiles", ignore_errors=True)
    results = run(options)
    options.results.mkdir(parents=True, exist_ok=True)
    all_rows = rows.rows(results)
    json_path = options.results / "latest.json"
    json_path.write_text(
        json.dumps({**results, "rows": [asdict(r) for r in all_rows]}, indent=2, default=str)
        + "\n",
        "utf-8",
    )
    drawn = charts.draw(json_path, options.results, results["problems"])
    md_path = options.results / "latest.md"
    md_path.write_text(report.markdown(results, all_rows, drawn), "utf-8")
    print(f"Wrote {md_path} and {json_path}")
    return md_path
