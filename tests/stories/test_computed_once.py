"""A submission's computed values (models.computed_once): once per submission, and never one
request waiting for another's."""

from __future__ import annotations

import threading

from reader_stories.models import computed_once
from reader_stories.validation import validate_submission


class Counted:
    def __init__(self, barrier: threading.Barrier | None = None) -> None:
        self.calls = 0
        self.barrier = barrier

    @computed_once
    def value(self) -> int:
        self.calls += 1
        if self.barrier is not None:
            self.barrier.wait(timeout=10)  # both threads must be in here at once
        return 42


def test_computed_once_per_instance() -> None:
    one = Counted()
    assert (one.value, one.value, one.calls) == (42, 42, 1)
    assert Counted().value == 42
    assert isinstance(Counted.__dict__["value"], computed_once)


def test_two_requests_compute_their_own_submissions_at_the_same_time() -> None:
    """functools.cached_property (Python 3.11) would hold the second thread at its lock until
    the first had finished, and the barrier would break."""
    barrier = threading.Barrier(2)
    objects = [Counted(barrier), Counted(barrier)]
    failures: list[BaseException] = []

    def compute(target: Counted) -> None:
        try:
            assert target.value == 42
        except BaseException as problem:  # threading.BrokenBarrierError included
            failures.append(problem)

    threads = [threading.Thread(target=compute, args=(one,)) for one in objects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [one.calls for one in objects] == [1, 1]


def test_a_submission_keeps_its_html_and_fingerprint_once_prepared() -> None:
    form = {"article": "a", "name": "Ayo", "story": "Two offers after *ten* rejections."}
    submission = validate_submission(form | {"consent": "yes"}, ip_hash="f" * 64)
    submission.prepare()
    assert "<em>ten</em>" in submission.__dict__["body_html"]
    assert submission.body_hash == submission.__dict__["body_hash"]
    held = submission.with_spam(None)
    assert held.__dict__["body_html"] == submission.body_html  # carried over, not recomputed
