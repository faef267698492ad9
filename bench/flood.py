"""A flood: thousands of bot submissions from hundreds of networks while real readers keep
sending their stories, against our intake with production's rate limit and queue cap.

What it checks is the design's promise, not a speed: every reader's story is accepted, the
moderator's queue holds the readers' stories and only the bots the spam score missed, the rest
wait in the held bin (whose oldest suspected stories make room when it is full), and the
readers' answers stay within the intake's latency target while the flood runs.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.corpus import article_spec
from bench.procs import run_measured
from bench.servers import free_port, running_server
from bench.stats import percentile

ACCEPTED = "202"


@dataclass(frozen=True)
class FloodPlan:
    bots: int = 10_000
    networks: int = 500
    readers: int = 200
    concurrency: int = 20
    articles: int = 50
    time_cap: float = 600.0
    # Production's defaults, but for the bin, kept small enough that the flood fills it.
    rate_limit: str = "5/600"
    max_pending: int = 1000
    max_held: int = 2000
    workers: int = 1  # the intake's worker processes; the harness runs as many as its measure


def server_settings(plan: FloodPlan) -> dict[str, object]:
    return {
        "rate_limit": plan.rate_limit,
        "duplicate_window": 86400,
        "max_pending": plan.max_pending,
        "max_held": plan.max_held,
        "trusted_proxies": "127.0.0.1",
    }


def count_store(database: Path) -> dict[str, int]:
    """The queue by who wrote each story (the benchmark names bots 'Promo N'), and the bin."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:

        def one(query: str) -> int:
            return int(db.execute(query).fetchone()[0])

        waiting = "status = 'pending'"
        return {
            "queue_readers": one(
                f"SELECT count(*) FROM stories WHERE {waiting} AND held IS NULL "
                "AND name LIKE 'Reader %'"
            ),
            "queue_bots": one(
                f"SELECT count(*) FROM stories WHERE {waiting} AND held IS NULL "
                "AND name LIKE 'Promo %'"
            ),
            "held": one(f"SELECT count(*) FROM stories WHERE {waiting} AND held IS NOT NULL"),
            "held_readers": one(
                f"SELECT count(*) FROM stories WHERE {waiting} AND held IS NOT NULL "
                "AND name LIKE 'Reader %'"
            ),
            "dropped": one(
                "SELECT count(*) FROM moderation_events WHERE action = 'deleted' "
                "AND actor = 'held bin (full)'"
            ),
        }


def _side(side: dict[str, Any]) -> dict[str, Any]:
    latencies = side.pop("latencies_ms")
    return {
        **side,
        "accepted": side["statuses"].get(ACCEPTED, 0),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=0.0),
    }


def measure(work: Path, secret: str, plan: FloodPlan, log: Any) -> dict[str, Any]:
    """One flood against a fresh store; the answers each side got and what the store holds."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database = work / "flood.sqlite3"
    port = free_port()
    server_spec = {
        "database_url": f"sqlite:///{database}",
        "secret": secret,
        "port": port,
        "work_dir": str(work),
        "workers": plan.workers,
        "settings": server_settings(plan),
    }
    (work / "server.json").write_text(json.dumps(server_spec), "utf-8")
    command = [sys.executable, "-m", "bench.intake_server", str(work / "server.json")]
    sent = f"{plan.bots:,} bot submissions from {plan.networks} networks"
    log(f"flood: {sent}, {plan.readers} readers")
    with running_server(
        command, port=port, log_dir=work, name="flood-server", started_workers=plan.workers
    ) as server:
        spec = {
            **asdict(plan),
            "base_url": server.base_url,
            "secret": secret,
            "slugs": [article_spec(i).slug for i in range(plan.articles)],
        }
        spec_file, result_file = work / "flood.json", work / "flood-result.json"
        spec_file.write_text(json.dumps(spec), "utf-8")
        run_measured(
            [sys.executable, "-m", "bench.flood_client", str(spec_file), str(result_file)],
            log_dir=work,
            name="flood-client",
            timeout=plan.time_cap + 120,
        )
    result = json.loads(result_file.read_text("utf-8"))
    stored = count_store(database)
    readers, bots = _side(result["readers"]), _side(result["bots"])
    return {
        "plan": asdict(plan),
        "elapsed": result["elapsed"],
        "hit_time_cap": result["hit_time_cap"],
        "readers": readers,
        "bots": bots,
        "store": stored,
        "every_reader_accepted": readers["accepted"] == plan.readers,
        "queue_is_readers_and_missed": stored["queue_readers"] == readers["accepted"]
        and stored["held_readers"] == 0,
    }
