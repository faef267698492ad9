"""Proof-of-work challenges per network (web/intake/challenges.py): a sliding window."""

from __future__ import annotations

from reader_stories.web.intake.challenges import ChallengeLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_network_gets_its_challenges_then_waits_for_the_oldest_to_leave_the_window() -> None:
    clock = Clock()
    limit = ChallengeLimit(limit=3, window=600, clock=clock)
    for _ in range(3):  # at 0, 100 and 200 s
        assert limit.take("net-a") is None
        clock.now += 100
    assert limit.take("net-a") == 300  # the first leaves the window 300 s from now
    assert limit.take("net-b") is None  # other networks are not held up
    clock.now += 300
    assert limit.take("net-a") is None  # the first has left: one more
    assert limit.take("net-a") == 100  # the second leaves 100 s later


def test_refused_requests_do_not_count_so_waiting_is_enough() -> None:
    clock = Clock()
    limit = ChallengeLimit(limit=1, window=60, clock=clock)
    assert limit.take("net") is None
    for _ in range(100):
        assert limit.take("net") == 60
    clock.now += 60
    assert limit.take("net") is None


def test_it_remembers_a_bounded_number_of_networks_the_least_recent_forgotten_first() -> None:
    limit = ChallengeLimit(limit=1, window=600, networks=2, clock=Clock())
    assert limit.take("one") is None and limit.take("two") is None
    assert limit.take("one") is not None  # "one" is now the most recently seen
    assert limit.take("three") is None  # "two" is forgotten to make room
    assert limit.take("two") is None
    assert limit.take("three") is not None
