"""How the report states a ratio against its target."""

from __future__ import annotations

from bench import rows

X = rows.TIMES


def test_a_ratio_that_misses_within_the_rounding_shows_a_third_decimal() -> None:
    assert rows._at_most(0.7516, 0.75) == (f"0.752{X}", f"≤ 0.75{X}", False)


def test_ratios_otherwise_show_two_decimals() -> None:
    assert rows._at_most(0.7490, 0.75) == (f"0.75{X}", f"≤ 0.75{X}", True)
    assert rows._at_most(0.7500, 0.75) == (f"0.75{X}", f"≤ 0.75{X}", True)
    assert rows._at_most(1.27, 1.15) == (f"1.27{X}", f"≤ 1.15{X}", False)
    assert rows._at_most(1.27, None) == (f"1.27{X}", "—", None)
