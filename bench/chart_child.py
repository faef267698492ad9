"""Run in the charts virtualenv (bench/charts.py): latest.json in, SVG files out, their names
printed. Imports only pygal and the standard library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pygal
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    font_family="system-ui, sans-serif",
    colors=("#1f5f8b", "#888888", "#d9822b", "#4a8f3c"),
)
# No script from the web: pygal otherwise links its tooltip script from its own site.
OPTIONS: dict[str, Any] = {
    "style": STYLE,
    "js": [],
    "width": 720,
    "height": 400,
    "legend_at_bottom": True,
    "include_x_axis": True,  # bars and lines from zero: ratios read true
}


def build_times(results: dict[str, Any]) -> pygal.XY | None:
    """Seconds against articles, on true scales, one line a generator."""
    sizes = sorted(int(n) for n in results["builds"])
    if not sizes:
        return None
    chart = pygal.XY(
        title="Full build, wall time against articles (median of runs)",
        x_title="articles",
        y_title="seconds",
        **OPTIONS,
    )
    builds = {n: results["builds"][str(n)] for n in sizes}
    chart.add("ours (tips and stories)", [(n, b["ours"]["wall"]) for n, b in builds.items()])
    chart.add("plain Pelican", [(n, b["plain"]["wall"]) for n, b in builds.items()])
    if all("hugo" in b for b in builds.values()):
        name = f"Hugo {results.get('hugo_version') or ''}".strip()
        chart.add(name, [(n, b["hugo"]["wall"]) for n, b in builds.items()])
    return chart


def intake(results: dict[str, Any], key: str) -> pygal.Bar | None:
    found = results.get("intake") or {}
    ours, isso = found.get("ours"), found.get("isso")
    if not ours:
        return None
    if key == "rate":
        chart = pygal.Bar(title="Intake: submissions acknowledged per second", **OPTIONS)
        chart.x_labels = ["submissions/s"]
        chart.add("ours", [ours["per_second"]])
        if isso:
            chart.add("Isso", [isso["per_second"]])
        return chart
    chart = pygal.Bar(title="Intake: latency under load (ms)", **OPTIONS)
    chart.x_labels = ["p50", "p99"]
    chart.add("ours", [ours["p50_ms"], ours["p99_ms"]])
    if isso:
        chart.add("Isso", [isso["p50_ms"], isso["p99_ms"]])
    return chart


def main(results_json: str, folder: str) -> None:
    results = json.loads(Path(results_json).read_text("utf-8"))
    charts = {
        "build-time.svg": build_times(results),
        "intake-rate.svg": intake(results, "rate"),
        "intake-latency.svg": intake(results, "latency"),
    }
    for name, chart in charts.items():
        if chart is not None:
            chart.render_to_file(str(Path(folder) / name))
            print(name)


if __name__ == "__main__":
    main(*sys.argv[1:3])
