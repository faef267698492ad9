"""The report's section on what dominates a missed target: there only when something missed."""

from __future__ import annotations

from bench.report import _profile_section


def test_a_run_that_missed_nothing_has_no_section_on_what_dominates() -> None:
    met = {"cli_imports": {"total_s": 0.1, "packages": [], "process_s": 0.2}}
    approve = {**met, "cli_median_s": 0.5, "service_cli_median_s": 0.19, "function_median_ms": 40}
    results = {"profile": {"builds": []}, "approve": approve}
    assert _profile_section(results) == []


def test_a_missed_target_gets_the_section_with_its_profile() -> None:
    results = {"profile": {"builds": [{"size": 1000, "problem": "py-spy could not attach"}]}}
    section = _profile_section(results)
    assert section[0] == "## What dominates where a target was missed"
    assert "Build profile not available: py-spy could not attach" in section
