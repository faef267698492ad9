"""Helpers shared by the story tests: a hand-moved clock and ready-made submissions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from nextround.stories.models import Status, Story, Submission
from nextround.stories.store import Store

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BASE_SUBMISSION = Submission(
    article="handling-job-rejection",
    name="Ada",
    email=None,
    notify=False,
    body_markdown="I was turned down twice before the offer came.",
    reply_to=None,
    ip_hash="a" * 64,
)


class FakeClock:
    """A clock that only moves when told, so windows and ordering are exact."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def submission(**changes: object) -> Submission:
    """The base submission with some fields changed."""
    return replace(BASE_SUBMISSION, **changes)  # type: ignore[arg-type]


def add(store: Store, clock: FakeClock | None = None, **changes: object) -> Story:
    """Add a submission, one second after the previous one when a clock is given."""
    if clock is not None:
        clock.advance(seconds=1)
    return store.add_submission(submission(**changes))


def add_with_status(store: Store, status: Status, **changes: object) -> Story:
    """A story already in ``status``, set through the store (no moderation rules)."""
    story = add(store, **changes)
    if status is Status.PENDING:
        return story
    return store.set_status(story.id, status, reason="setup", actor="setup")
