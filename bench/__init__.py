"""Benchmark harness for Next Round: `invoke bench` measures the site against what a user would
pick instead (plain Pelican, Isso) and writes bench/results/latest.md and latest.json.

Benchmarks are not tests: nothing here asserts on wall time; tests/test_bench_smoke.py only runs
a tiny size so the harness keeps working.
"""
