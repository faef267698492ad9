"""The benchmark harness keeps working: one tiny run (N=5, one run, no Isso, no profiling).

Benchmarks are not timed tests: nothing here looks at a duration, only that the report is
written and has a row for every measure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import harness, rows


@pytest.mark.slow
def test_tiny_benchmark_run_writes_every_measure(tmp_path: Path) -> None:
    options = harness.Options(
        sizes=(5,),
        runs=1,
        isso=False,
        intake_requests=40,
        intake_runs=1,
        intake_time_cap=30.0,
        profile=False,
        work=tmp_path / "work",
        results=tmp_path / "results",
    )

    markdown_path = harness.run_and_write(options)

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
    assert data["intake"]["ours"]["lost"] == 0
    assert data["machine"]["cores"]
