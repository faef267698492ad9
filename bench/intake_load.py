"""Intake throughput: our intake and Isso under the same load, in the same run, then a count of
what each one stored against what it acknowledged (none may be lost).

Runs alternate (ours, Isso, ours, Isso, ...) so slow drifts of the machine hit both alike. Each
run gets a fresh database, a fresh server process and a fresh load-generator process.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import isso_peer
from bench.corpus import article_spec
from bench.procs import run_measured
from bench.servers import Server, free_port, running_server
from bench.stats import median, percentile
from bench.venvs import VenvUnavailable, ensure_isso


@dataclass(frozen=True)
class LoadPlan:
    total: int = 2000
    workers: int = 1  # our intake's worker processes (Isso: one per core, as its docs say)
    concurrency: int = 20
    warmup: int = 40
    time_cap: float = 60.0
    articles: int = 50


def count_stored(database: Path, table: str, pending: str) -> dict[str, int]:
    """Rows of `table` in a SQLite file, read-only: all, and those where `pending` holds."""
    if not database.exists():
        return {"total": 0, "pending": 0}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        total = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        waiting = db.execute(f"SELECT count(*) FROM {table} WHERE {pending}").fetchone()[0]
    return {"total": int(total), "pending": int(waiting)}


def count_ours(database: Path) -> dict[str, int]:
    """Stories in our store: all, and pending (every benchmark story waits for moderation)."""
    return count_stored(database, "stories", "status = 'pending'")


def run_load_client(
    spec: dict[str, Any], folder: Path, name: str, plan: LoadPlan
) -> dict[str, Any]:
    spec_file, result_file = folder / f"{name}-load.json", folder / f"{name}-result.json"
    spec_file.write_text(json.dumps(spec), "utf-8")
    client = run_measured(
        [sys.executable, "-m", "bench.load_client", str(spec_file), str(result_file)],
        log_dir=folder,
        name=f"{name}-load",
        timeout=plan.time_cap + 120,
    )
    result = json.loads(result_file.read_text("utf-8"))
    result["client_cpu_s"], result["client_wall_s"] = client.cpu_seconds, client.seconds
    return result


def _measured_load(
    server: Any, spec: dict[str, Any], folder: Path, name: str, plan: LoadPlan
) -> tuple[dict[str, Any], float | None]:
    """The load, with the server's CPU seconds used during it and its peak memory after."""
    before = server.cpu_seconds() or 0.0
    load = run_load_client(spec, folder, name, plan)
    load["server_cpu_s"] = (server.cpu_seconds() or 0.0) - before
    return load, server.peak_rss_mib()


def _summary(load: dict[str, Any], stored: dict[str, int], rss: float | None) -> dict[str, Any]:
    latencies = load.pop("latencies_ms")
    return {
        "per_second": load["timed_acked"] / load["elapsed"] if load["elapsed"] else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=0.0),
        "acked": load["acked"],
        "stored_pending": stored["pending"],
        "stored_total": stored["total"],
        "lost": load["acked"] - stored["pending"],
        "peak_rss_mib": rss,
        **{k: load[k] for k in ("sent", "timed_sent", "elapsed", "hit_time_cap", "statuses")},
        "errors": load["errors"][:5],
        # Shares of one core over the whole load (warm-up included): is either side saturated?
        "server_cpu_share": load["server_cpu_s"] / load["client_wall_s"],
        "client_cpu_share": load["client_cpu_s"] / load["client_wall_s"],
    }


def _fresh(folder: Path) -> Path:
    """Each run starts from an empty folder, so its store holds only this run's submissions."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@contextmanager
def running_ours(
    folder: Path, database: Path, secret: str, plan: LoadPlan, slugs: list[str], *, name: str
) -> Iterator[tuple[Server, dict[str, Any]]]:
    """Our intake (bench.intake_server) on a free port, its store at `database`: yields the
    server and the load generator's spec for it."""
    port = free_port()
    spec = {"database_url": f"sqlite:///{database}", "secret": secret, "port": port}
    spec["work_dir"], spec["workers"] = str(folder), plan.workers
    (folder / "server.json").write_text(json.dumps(spec), "utf-8")
    command = [sys.executable, "-m", "bench.intake_server", str(folder / "server.json")]
    with running_server(
        command, port=port, log_dir=folder, name=name, started_workers=plan.workers
    ) as server:
        yield server, {**load_spec(plan, server.base_url, slugs), "kind": "ours", "secret": secret}


def run_ours(folder: Path, secret: str, plan: LoadPlan, slugs: list[str]) -> dict[str, Any]:
    _fresh(folder)
    database = folder / "intake.sqlite3"
    with running_ours(folder, database, secret, plan, slugs, name="ours-server") as (server, spec):
        load, rss = _measured_load(server, spec, folder, "ours", plan)
    return _summary(load, count_ours(database), rss)


def run_isso(folder: Path, bin_dir: Path, plan: LoadPlan, slugs: list[str]) -> dict[str, Any]:
    _fresh(folder)
    port = free_port()
    config, database = isso_peer.write_config(folder, port)
    command = isso_peer.command(bin_dir, port)
    env = isso_peer.environment(config)
    with running_server(command, port=port, log_dir=folder, name="isso-server", env=env) as server:
        spec = {
            **load_spec(plan, server.base_url, slugs),
            "kind": "isso",
            "origin": isso_peer.SITE_ORIGIN,
        }
        load, rss = _measured_load(server, spec, folder, "isso", plan)
    return _summary(load, count_stored(database, *isso_peer.STORED), rss)


def load_spec(plan: LoadPlan, base_url: str, slugs: list[str]) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "slugs": slugs,
        "total": plan.total,
        "concurrency": plan.concurrency,
        "warmup": plan.warmup,
        "time_cap": plan.time_cap,
    }


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("per_second", "p50_ms", "p99_ms", "max_ms", "server_cpu_share", "client_cpu_share")
    summary: dict[str, Any] = {k: median([r[k] for r in runs]) for k in keys}
    summary["acked"] = sum(r["acked"] for r in runs)
    summary["stored_pending"] = sum(r["stored_pending"] for r in runs)
    summary["lost"] = sum(r["lost"] for r in runs)
    rss = [r["peak_rss_mib"] for r in runs if r["peak_rss_mib"] is not None]
    summary["peak_rss_mib"] = max(rss) if rss else None
    summary["runs"] = runs
    return summary


def measure(
    work: Path, secret: str, plan: LoadPlan, runs: int, with_isso: bool, log: Any
) -> dict[str, Any]:
    """Median figures per side over `runs` alternating runs, plus each run's detail."""
    slugs = [article_spec(i).slug for i in range(plan.articles)]
    result: dict[str, Any] = {"plan": plan.__dict__, "isso": None, "isso_problem": None}
    bin_dir = None
    if with_isso:
        try:
            bin_dir = ensure_isso()
            result["isso_version"] = isso_peer.version(bin_dir)
        except VenvUnavailable as problem:
            result["isso_problem"] = f"Isso could not be installed: {problem}"
    else:
        result["isso_problem"] = "skipped (--skip-isso)"
    ours_runs, isso_runs = [], []
    for run in range(runs):
        log(f"intake run {run + 1}/{runs}: ours")
        ours_runs.append(run_ours(work / f"ours-{run}", secret, plan, slugs))
        if bin_dir is not None:
            log(f"intake run {run + 1}/{runs}: Isso")
            try:
                isso_runs.append(run_isso(work / f"isso-{run}", bin_dir, plan, slugs))
            except RuntimeError as problem:
                result["isso_problem"] = f"Isso could not run: {problem}"
                bin_dir = None
    result["ours"] = _median_of(ours_runs)
    if isso_runs:
        result["isso"] = _median_of(isso_runs)
    return result
