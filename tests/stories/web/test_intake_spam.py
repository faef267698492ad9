"""The spam score at the intake, over real HTTP (uvicorn on loopback, SQLite and PostgreSQL):
a reader's story goes to the queue, spam waits in the held bin with its reasons, the same text
sent to several articles is noticed, and a full bin makes room instead of refusing anyone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import store_calls as calls
from altcha import Challenge, Payload, solve_challenge
from stories_support import make_config

from reader_stories.models import HoldKind, SpamScore, Status
from reader_stories.moderation import held
from reader_stories.moderation.spam.proof import ProofKeys, new_challenge
from reader_stories.moderation.spam.score import BIN_FULL_ACTOR
from reader_stories.settings import CommentsSettings, RateLimit
from reader_stories.store import Store, open_store
from reader_stories.tokens import make_article_token
from reader_stories.web.intake.app import create_app
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

SECRET = "spam-intake-tests-" + "k" * 32
READER = (
    "I asked for a raise after a year of extra work, wrote down three results with numbers, "
    "and my manager agreed to it at the spring review."
)
PROOF_KEYS = ProofKeys.from_secret(SECRET)
SPAM = "Earn $400 a day from home!! Check out my channel https://bit.ly/3HomeCash now"

Post = Callable[..., httpx.Response]


@pytest.fixture
def start(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Post]]:
    """Start the intake with changed settings; returns a function that posts a story."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    with ExitStack() as stack:

        def _start(**changes: Any) -> Post:
            settings = CommentsSettings(
                database_url=db_url, secret_key=SECRET, rate_limit=RateLimit(1000, 600)
            )
            app = create_app(make_config(replace(settings, **changes)))
            stack.callback(app.state.close)
            base = stack.enter_context(running(create_site_app(site, mounts={"/stories": app})))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=20))

            def post(
                story: str, article: str = "asking-for-a-raise", **extra: str
            ) -> httpx.Response:
                form = {
                    "article": article,
                    "token": make_article_token(SECRET, article),
                    "website": "",
                    "name": "Ada",
                    "email": "",
                    "reply_to": "",
                    "story": story,
                    "consent": "yes",
                    **extra,
                }
                return client.post("/stories/", data=form)

            return post

        yield _start


@pytest.fixture
def reading(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as store:
        yield store


def test_a_readers_story_is_queued_and_spam_is_held_with_its_reasons(
    start: Callable[..., Post], reading: Store
) -> None:
    post = start()
    assert post(READER).status_code == 303
    answer = post(SPAM)
    assert answer.status_code == 303  # the same answer as any story: a bot learns nothing
    assert answer.headers["location"] == "/stories/received?article=asking-for-a-raise"
    [queued] = reading.pending()
    assert queued.body_markdown == READER and queued.hold is None
    [suspect] = held.listing(reading)
    assert suspect.status == Status.PENDING and suspect.hold is not None
    assert suspect.hold.kind == HoldKind.SUSPECTED
    assert suspect.hold.reasons[0].startswith("spam score ")
    assert suspect.hold.reasons[0].endswith(" (held from 5)")
    assert "a link shortener (bit.ly) (+3)" in suspect.hold.reasons
    assert any(r.startswith("spam phrasing: “check out my channel”") for r in suspect.hold.reasons)
    summary = held.summary(reading)
    assert summary.total == 1 and summary.signals["shortener"] == 1


def test_every_story_keeps_its_score_and_reasons_held_or_not(
    start: Callable[..., Post], reading: Store
) -> None:
    """The score the hold was decided on is the one kept: repeats and proofs included."""
    post = start()
    with_link = f"{READER} My notes: https://example.org/notes"
    assert post(with_link).status_code == 303
    assert post(SPAM).status_code == 303
    [queued] = reading.pending()
    assert queued.hold is None and queued.spam == SpamScore(1, ("a link (+1)",))
    [suspect] = held.listing(reading)
    assert suspect.spam is not None and suspect.hold is not None
    assert suspect.hold.reasons[0] == f"spam score {suspect.spam.points} (held from 5)"
    assert suspect.spam.reasons == suspect.hold.reasons[1:]


def test_a_story_below_a_threshold_of_0_keeps_its_score_too(
    start: Callable[..., Post], reading: Store
) -> None:
    post = start(spam_threshold=0)
    assert post(SPAM).status_code == 303
    [story] = reading.pending()
    assert story.hold is None and story.spam is not None and story.spam.points >= 5
    assert "a link shortener (bit.ly) (+3)" in story.spam.reasons


def test_a_proof_of_work_counts_for_one_story(start: Callable[..., Post], reading: Store) -> None:
    """A bot that solved one challenge cannot send its solution with every story it sends."""
    post = start(spam_threshold=3)
    # Begun a minute ago, so the story is not also scored as sent too fast.
    begun = datetime.now(UTC) - timedelta(minutes=1)
    challenge = Challenge.from_dict(new_challenge(PROOF_KEYS, "asking-for-a-raise", begun))
    payload = Payload(challenge, solve_challenge(challenge)).to_base64()  # type: ignore[arg-type]
    assert post(READER, altcha=payload).status_code == 303
    again = READER.replace("spring review", "autumn review")
    assert post(again, altcha=payload).status_code == 303  # the same answer: a bot learns nothing
    [first] = reading.pending()
    assert first.body_markdown == READER and first.hold is None  # its proof took points off
    [second] = held.listing(reading)
    assert second.body_markdown == again and second.hold is not None
    assert "a proof of work already sent with another story (+3)" in second.hold.reasons
    assert "the browser solved the proof of work (-2)" not in second.hold.reasons


def test_the_same_text_on_several_articles_is_held(
    start: Callable[..., Post], reading: Store
) -> None:
    post = start()
    text = "Thanks for this wonderful article, I learned so much from every single line of it."
    for article in ("asking-for-a-raise", "handling-job-rejection", "first-90-days"):
        assert post(text, article).status_code == 303
    first, second, third = sorted(
        [*reading.pending(), *held.listing(reading)], key=lambda story: story.id
    )
    assert first.hold is None  # once is a reader's
    assert second.hold is None  # twice: 3 points, below the threshold
    assert third.hold is not None
    assert "the same text went to 2 other articles today (+5)" in third.hold.reasons


def test_a_full_bin_drops_its_oldest_suspected_and_never_refuses(
    start: Callable[..., Post], reading: Store
) -> None:
    post = start(max_held=2, max_pending=1)
    for number in range(4):
        assert post(f"{SPAM} {number}").status_code == 303
    assert post(READER).status_code == 303
    spam_ids = sorted(story.id for story in held.listing(reading))
    assert len(spam_ids) == 2  # the two newest; the two oldest made room
    dropped = [i for i in range(1, 5) if i not in spam_ids]
    assert [calls.events(reading, i)[-1].actor for i in dropped] == [BIN_FULL_ACTOR] * 2
    assert [s.body_markdown for s in reading.pending()] == [READER]
    # The queue's cap still applies to stories that are not held: it is full now.
    assert post(READER.replace("raise", "promotion")).status_code == 503
    assert post(f"{SPAM} 5").status_code == 303  # spam is held, never refused by the cap


def test_a_threshold_of_0_holds_nothing(start: Callable[..., Post], reading: Store) -> None:
    post = start(spam_threshold=0)
    assert post(SPAM).status_code == 303
    assert [s.hold for s in reading.pending()] == [None]
