"""The build rounds rotate their order, so no side is always the first build of a round."""

from __future__ import annotations

from bench.build_measures import rotated


def test_each_round_builds_every_side_once_starting_one_side_later() -> None:
    sides = ["ours", "plain", "headings", "hugo"]
    rounds = [rotated(sides, run) for run in range(5)]
    assert all(sorted(order) == sorted(sides) for order in rounds)
    assert [order[0] for order in rounds] == ["ours", "plain", "headings", "hugo", "ours"]
    assert rounds[1] == ["plain", "headings", "hugo", "ours"]


def test_no_sides_no_rounds() -> None:
    assert rotated([], 3) == []
