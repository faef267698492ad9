"""The proof of work's signals: a challenge the intake signed, solved as the widget solves it
(by the ALTCHA library itself), then weighed: solved, forged, for another article, expired,
sent too fast, or missing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from altcha import Challenge, Payload, solve_challenge
from stories_support import make_config

from reader_stories.moderation.spam.proof import (
    LIFETIME,
    ProofKeys,
    new_challenge,
    proof_id,
    proof_signals,
)
from reader_stories.moderation.spam.signals import Signal
from reader_stories.settings import CommentsSettings
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.challenges import CHALLENGES
from sitetools.serve import running

KEYS = ProofKeys.from_secret("proof-tests-" + "s" * 40)
# ALTCHA checks a challenge's expiry against the real clock, so challenges are issued now.
ISSUED = datetime.now(UTC).replace(microsecond=0)
SOLVED = Signal("proof", -2, "the browser solved the proof of work")


def solved(keys: ProofKeys = KEYS, article: str = "asking-for-a-raise") -> str:
    challenge = Challenge.from_dict(new_challenge(keys, article, ISSUED))
    solution = solve_challenge(challenge)
    assert solution is not None
    return Payload(challenge, solution).to_base64()


def test_a_solved_proof_takes_points_off() -> None:
    later = ISSUED + timedelta(minutes=3)
    assert proof_signals(KEYS, solved(), "asking-for-a-raise", later) == [SOLVED]


def test_a_story_sent_seconds_after_the_form_was_begun_gets_points() -> None:
    soon = ISSUED + timedelta(seconds=2)
    assert proof_signals(KEYS, solved(), "asking-for-a-raise", soon) == [
        SOLVED,
        Signal("fast", 3, "sent 2 s after the form was begun"),
    ]


def test_a_proof_that_does_not_check_out_gets_points() -> None:
    forged = Signal("proof", 3, "a proof of work that does not check out")
    later = ISSUED + timedelta(minutes=3)
    other_site = ProofKeys.from_secret("another-site-" + "s" * 40)
    assert proof_signals(KEYS, solved(other_site), "asking-for-a-raise", later) == [forged]
    assert proof_signals(KEYS, solved(), "another-article", later) == [forged]
    assert proof_signals(KEYS, "not a proof", "asking-for-a-raise", later) == [forged]


def test_no_proof_or_an_expired_one_is_neither_good_nor_bad() -> None:
    later = ISSUED + LIFETIME + timedelta(minutes=1)
    assert proof_signals(KEYS, "", "asking-for-a-raise", ISSUED) == []
    expired = Challenge.from_dict(new_challenge(KEYS, "asking-for-a-raise", ISSUED - LIFETIME * 2))
    payload = Payload(expired, solve_challenge(expired)).to_base64()  # type: ignore[arg-type]
    assert proof_signals(KEYS, payload, "asking-for-a-raise", later) == []


def test_a_proof_is_named_by_its_challenges_signature() -> None:
    one, other = solved(), solved()
    assert proof_id(one) == json.loads(base64.b64decode(one))["challenge"]["signature"]
    assert proof_id(one) != proof_id(other)  # each challenge has a signature of its own
    assert proof_id("not a proof") is None
    assert proof_id(base64.b64encode(b'{"challenge": {"signature": 7}}').decode()) is None


def test_the_intake_hands_out_challenges_for_an_article_only(base_app: httpx.Client) -> None:
    answer = base_app.get("/challenge", params={"article": "asking-for-a-raise"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    parameters = answer.json()["parameters"]
    assert parameters["algorithm"] == "PBKDF2/SHA-256"
    assert parameters["data"]["article"] == "asking-for-a-raise"
    refused = base_app.get("/challenge", params={"article": "../etc"})
    assert refused.status_code == 400
    assert "give its address" in refused.text


def test_one_network_gets_a_bounded_number_of_challenges(base_app: httpx.Client) -> None:
    for _ in range(CHALLENGES):
        assert base_app.get("/challenge", params={"article": "first-90-days"}).status_code == 200
    refused = base_app.get("/challenge", params={"article": "first-90-days"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert "asked for many proof-of-work challenges" in refused.text
    assert "a story sent without one still arrives" in refused.text


@pytest.fixture
def base_app(db_url: str) -> Iterator[httpx.Client]:
    settings = CommentsSettings(database_url=db_url, secret_key="proof-tests-" + "s" * 40)
    app = create_app(make_config(settings))
    try:
        with running(app) as base, httpx.Client(base_url=base, timeout=20) as client:
            yield client
    finally:
        app.state.close()
