"""Where the time goes when a target is missed: pyinstrument on a build (ours and plain Pelican,
same corpus) and py-spy on the intake under the benchmark load.

The profilers live in bench/work/profile-venv (see venvs.py), never in the project's venv. The
summaries name files and functions with their share of the total, for whoever fixes them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.builds import SETTINGS, our_spec, plain_argv, plain_settings
from bench.corpus import article_spec
from bench.intake_load import LoadPlan, run_load_client, running_ours
from bench.procs import run_measured
from bench.venvs import VenvUnavailable, ensure_profiler

# Library frames worth naming beside the product's own: where Markdown and Pelican spend time.
ANCHORS = (
    ("Pelican.run", "pelican/__init__.py"),
    ("ArticlesGenerator.generate_context", "pelican/generators.py"),
    ("Readers.read_file", "pelican/readers.py"),
    ("Markdown.convert", "markdown/core.py"),
    ("InlineProcessor.run", "markdown/treeprocessors.py"),
    ("BlockParser.parseDocument", "markdown/blockparser.py"),
    ("Markdown.__init__", "markdown/core.py"),
    ("ArticlesGenerator.generate_output", "pelican/generators.py"),
    ("Writer.write_file", "pelican/writers.py"),
)
OUR_CODE = ("nextround/", "reader_stories/", "tipboxes/", "theme/templates", "sitetools/")


def profile_builds(
    content: Path,
    database_url: str,
    secret: str,
    work: Path,
    results: Path,
    tag: str,
    sides: tuple[str, ...] = ("ours", "plain"),
) -> dict[str, Any]:
    """Profile one build of each side (ours, plain Pelican) on the same corpus."""
    try:
        bin_dir = ensure_profiler()
    except VenvUnavailable as problem:
        return {"problem": f"pyinstrument could not be installed: {problem}"}
    work.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    ours = our_spec(content, work / "out-ours", work / "cache-ours", database_url, secret)
    # One process: the profiler sees only its own process, and every function's share counts.
    ours["overrides"]["BUILD_PROCESSES"] = 1  # type: ignore[index]
    plain_conf = work / "plain-pelicanconf.py"
    plain_conf.write_text(plain_settings(content, work / "cache-plain"), "utf-8")
    specs = {
        "ours": {"kind": "ours", **ours},
        "plain": {"kind": "plain", "argv": plain_argv(content, work / "out-plain", plain_conf)},
    }
    summary: dict[str, Any] = {}
    for name in sides:
        spec = specs[name]
        spec_file = work / f"{name}.json"
        spec_file.write_text(json.dumps(spec), "utf-8")
        text_out = results / f"profile-build-{name}-{tag}.txt"
        json_out = work / f"profile-{name}.json"
        child = [str(bin_dir / "python"), "-m", "bench.profile_child", str(spec_file)]
        run_measured(
            [*child, str(text_out), str(json_out)],
            log_dir=work,
            name=f"profile-{name}",
            timeout=1800,
        )
        summary[name] = _summarise(json.loads(json_out.read_text("utf-8")))
        summary[name]["text"] = text_out.name
        shutil.rmtree(work / f"out-{name}", ignore_errors=True)
    summary["markdown_pipeline"] = markdown_pipeline()
    return summary


def _summarise(profile: dict[str, Any]) -> dict[str, Any]:
    total = profile["total"] or 1.0
    functions = profile["functions"]
    anchors = []
    for function, file in ANCHORS:
        found = next(
            (f for f in functions if f["function"] == function and f["file"].endswith(file)),
            None,
        )
        if found:
            anchors.append({**found, "share": found["seconds"] / total})
    ours = [
        {**f, "share": f["seconds"] / total}
        for f in functions
        if any(part in f["file"] for part in OUR_CODE)
        and f["function"] not in {"<module>", "build_site", "main"}
    ]
    # The tips reader's two methods wrap Pelican's whole read and metadata parsing (which
    # converts each Summary with Markdown): their inclusive time is not the tips' cost.
    wrappers = {"TipsMarkdownReader.read", "TipsMarkdownReader._parse_metadata"}
    tips = [f for f in ours if _tip_code(f) and f["function"] not in wrappers]
    return {"total": total, "anchors": anchors, "our_code": ours[:14], "tip_code": tips[:8]}


def _tip_code(function: dict[str, Any]) -> bool:
    """Frames that exist only because of tip boxes: the extension, its glue, its templates."""
    file = function["file"]
    return "tipboxes/" in file or ("templates" in file and "tip" in file)


def markdown_pipeline() -> dict[str, Any]:
    """How many inline patterns and tree processors each Markdown configuration runs."""
    from markdown import Markdown
    from pelican.settings import DEFAULT_CONFIG

    from sitetools.build import load_settings

    result = {}
    for name, config in (
        ("ours", load_settings(SETTINGS)["MARKDOWN"]),
        ("plain", DEFAULT_CONFIG["MARKDOWN"]),
    ):
        # As Pelican's MarkdownReader does: every configured extension is loaded.
        extensions = sorted(config["extension_configs"])
        md = Markdown(
            extensions=extensions,
            extension_configs=config["extension_configs"],
            output_format=config.get("output_format", "html5"),
        )
        inline = [p for p in md.treeprocessors if hasattr(p, "inlinePatterns")]
        result[name] = {
            "extensions": extensions,
            "inline_patterns": sum(len(p.inlinePatterns) for p in inline),
            "inline_passes": len(inline),
            "treeprocessors": len(md.treeprocessors),
        }
    return result


# Frames of the store's queries (Tx mixes in one class per concern) and of their callers.
_SQL_FRAMES = ("Tx.", "StoryQueries.", "RateQueries.", "OutboxQueries.", "take_slot", "queue_")

# What a thread doing the intake's work is doing: (label, test on frame names), first match wins.
INTAKE_BUCKETS: tuple[tuple[str, Any], ...] = (
    (
        "waiting for a pooled connection (SQLAlchemy QueuePool)",
        lambda names: any("Pool.connect" in n for n in names),
    ),
    (
        "waiting for SQLite's write lock (BEGIN IMMEDIATE, busy-handler sleeps)",
        lambda names: any("_begin_impl" in n for n in names),
    ),
    (
        "waiting for the store's in-process writer lock (Store._transaction)",
        lambda names: names[-1].startswith("Store.") and not any("Tx." in n for n in names),
    ),
    (
        "commit: WAL fsync (synchronous=FULL)",
        lambda names: any("_connection_commit_impl" in n for n in names),
    ),
    ("render_story (markdown-it + nh3) for the stored HTML", lambda names: "render_story" in names),
    ("validate_submission", lambda names: "validate_submission" in names),
    ("check_article_token", lambda names: "check_article_token" in names),
    (
        "SQL inside the write transaction (queries, insert, rate limit, mail outbox)",
        lambda names: any(n.startswith(_SQL_FRAMES) for n in names),
    ),
)


def profile_intake(work: Path, secret: str, plan: LoadPlan, results: Path) -> dict[str, Any]:
    """py-spy (wall clock, idle included) on our intake while the load generator runs."""
    try:
        bin_dir = ensure_profiler()
    except VenvUnavailable as problem:
        return {"problem": f"py-spy could not be installed: {problem}"}
    work.mkdir(parents=True, exist_ok=True)
    database = work / "intake.sqlite3"
    for old in work.glob("intake.sqlite3*"):
        old.unlink()
    raw = work / "py-spy.txt"
    slugs = [article_spec(i).slug for i in range(plan.articles)]
    with running_ours(work, database, secret, plan, slugs, name="server") as (srv, spec):
        record = [str(bin_dir / "py-spy"), "record", "--pid", str(srv.proc.pid), "--idle"]
        if plan.workers > 1:
            record.append("--subprocesses")  # the workers, not only the master waiting on them
        recording = time.perf_counter()
        spy = subprocess.Popen(
            [*record, "--rate", "100", "--format", "raw", "--output", str(raw), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)
        load = run_load_client(spec, work, "spy", plan)
        spy.send_signal(2)
        recording = time.perf_counter() - recording
        _out, err = spy.communicate(timeout=60)
    if not raw.exists():
        return {"problem": f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}"}
    summary = summarise_intake(raw.read_text("utf-8"))
    # The recording also covers start-up and the idle second before the load: scale the busy
    # shares to the load's own duration (approximate: the warm-up requests count as load).
    scale = recording / load["client_wall_s"] if load["client_wall_s"] else 1.0
    summary["load_seconds"] = load["client_wall_s"]
    for key in ("event_loop_busy", "intake_threads_busy"):
        if summary.get(key) is not None:
            summary[f"{key}_during_load"] = min(summary[key] * scale, 1.0)
    summary["requests"] = load["timed_sent"]
    (results / "profile-intake.json").write_text(json.dumps(summary, indent=2), "utf-8")
    summary["text"] = "profile-intake.json"
    return summary


def _frames(stack: str) -> tuple[list[str], list[str]]:
    """py-spy frames "Name (file:line)" as (names, files)."""
    names, files = [], []
    for frame in stack.split(";"):
        name, _, where = frame.partition(" (")
        names.append(name)
        files.append(where.rsplit(":", 1)[0])
    return names, files


def _package(file: str) -> str:
    """The top folder of a frame's file: reader_stories, uvicorn, starlette, sqlalchemy..."""
    head = file.split("/", 1)[0]
    return head.removesuffix(".py") if head else "?"


def summarise_intake(raw: str) -> dict[str, Any]:
    """Wall-clock shares (py-spy --idle) of the event loop and of the threads doing the intake's
    work (any thread whose stack holds a reader_stories frame), whatever the intake's design."""
    loop_busy = loop_total = 0
    loop_packages: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    work_packages: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        samples = int(count)
        names, files = _frames(stack)
        if names[0].startswith("_run_module_as_main"):
            loop_total += samples
            if not names[-1].endswith("select"):
                loop_busy += samples
                loop_packages[_package(files[-1])] += samples
        elif any(f.startswith("reader_stories/") for f in files):
            label = next((n for n, test in INTAKE_BUCKETS if test(names)), "other intake code")
            buckets[label] += samples
            work_packages[_package(files[-1])] += samples
    total = sum(buckets.values())
    working = Counter({k: v for k, v in buckets.items() if not k.startswith("waiting")})
    return {
        "samples": total,
        "buckets": _shares(buckets, total),
        "work_buckets": _shares(working, sum(working.values())),
        "work_packages": _shares(work_packages, total),
        "event_loop_busy": loop_busy / loop_total if loop_total else None,
        # Intake-code samples of all threads against the main thread's: threads busy at once.
        "intake_threads_busy": total / loop_total if loop_total else None,
        "event_loop_packages": _shares(loop_packages, loop_busy),
    }


def _shares(counts: Counter[str], total: int) -> list[dict[str, Any]]:
    return [
        {"what": name, "share": count / total if total else 0.0}
        for name, count in counts.most_common(10)
    ]
