"""The report's charts: build time against N and the intake's throughput and latency, as SVG.

pygal draws them in a virtualenv of its own under bench/work/ (like Isso and the profilers, it
stays out of the project's environment), from the raw figures the harness has just written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.procs import ROOT
from bench.venvs import WORK, VenvUnavailable, ensure_venv

CHARTS_VENV = WORK / "charts-venv"
CHARTS_REQUIREMENTS = ROOT / "bench" / "requirements-charts.txt"
TIMEOUT = 120.0


def draw(results_json: Path, folder: Path, problems: list[str]) -> list[str]:
    """Draw every chart the figures allow into ``folder``; returns the files' names. A chart
    that cannot be drawn is a problem of the run, reported, never a lost report."""
    try:
        python = ensure_venv(CHARTS_VENV, CHARTS_REQUIREMENTS) / "python"
        done = subprocess.run(
            [str(python), "-m", "bench.chart_child", str(results_json), str(folder)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (VenvUnavailable, subprocess.TimeoutExpired, OSError) as exc:
        problems.append(f"charts: {exc}")
        return []
    if done.returncode != 0:
        problems.append(f"charts: {done.stderr.strip().splitlines()[-1:]}")
        return []
    return done.stdout.split()
