"""The benchmark harness keeps working: one tiny run (N=5, one run, no Isso, no profiling;
Hugo's reference row and the charts included).

Benchmarks are not timed tests: nothing here looks at a duration, only that the report is
written and has a row for every measure.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench import rows

ROOT = Path(__file__).resolve().parents[2]
# A process of its own: a browser test earlier in the session may hold this process's event
# loop, and the page-weight measure drives Chromium through Playwright's sync API.
RUN = """
from pathlib import Path
from bench import harness
from bench.flood import FloodPlan
options = harness.Options(
    sizes=(5,), runs=1, isso=False, intake_requests=40, intake_runs=1, intake_time_cap=30.0,
    profile=False, work=Path({work!r}), results=Path({results!r}),
    flood=FloodPlan(bots=200, networks=20, readers=10, max_held=40),
)
print(harness.run_and_write(options))
"""


@pytest.mark.slow
def test_tiny_benchmark_run_writes_every_measure(tmp_path: Path) -> None:
    code = RUN.format(
        work=str(tmp_path / "work"),
        results=str(tmp_path / "results"),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    markdown_path = Path(done.stdout.strip().splitlines()[-1])

    data = json.loads((tmp_path / "results" / "latest.json").read_text("utf-8"))
    text = markdown_path.read_text("utf-8")
    assert data["problems"] == []
    measures = {row["measure"] for row in data["rows"]}
    assert measures == {key for key, _title, _peer in rows.MEASURES}
    for _key, title, _peer in rows.MEASURES:
        assert f"## {title}" in text
    for row in data["rows"]:
        assert f"| {row['label'].replace('|', chr(92) + '|')} |" in text
    assert data["approve"]["identical"], data["approve"]["files_different"]
    reload = data["builds"]["5"]["reload"]
    assert len(reload["runs"]) == 1 and 0 < reload["median"] < 120
    assert data["builds"]["5"]["plain_reload"]["runs"]
    assert "save to page rewritten" in text
    # Memory comes from a build of its own with its tree watched; the timed builds ran unwatched.
    for side in ("ours", "plain"):
        built = data["builds"]["5"][side]
        assert built["memory_run"]["processes"] >= 1
        assert built["rss_mib"] == built["memory_run"]["rss_mib"] > 0
        assert all(run["processes"] is None for run in built["runs"])
    hugo = data["builds"]["5"]["hugo"]
    assert hugo["runs"] and data["hugo_version"] in text
    for chart in ("build-time.svg", "intake-rate.svg", "intake-latency.svg"):
        svg = (tmp_path / "results" / chart).read_text("utf-8")
        assert svg.startswith("<?xml") and "<path" in svg  # drawn
        assert re.search(r"<script[^>]*href", svg) is None  # no script fetched from the web
        assert f"]({chart})" in text
    assert data["intake"]["ours"]["lost"] == 0
    assert data["machine"]["cores"]
    # The flood: every reader got in, the queue is the readers' (the score misses none of these
    # templates), and the bin made room by dropping its oldest suspected stories.
    flood = data["flood"]
    assert flood["every_reader_accepted"] and flood["queue_is_readers_and_missed"]
    assert flood["store"]["queue_readers"] == 10 and flood["store"]["queue_bots"] == 0
    assert flood["store"]["held"] == 40 and flood["store"]["dropped"] > 0
    assert "## A flood of spam among readers' stories" in text
