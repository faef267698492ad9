"""The classifier trained from the decisions in the store, on SQLite and PostgreSQL: it has no
say until the site has decided on enough stories of each kind, learns from what moderators
published, released and marked as spam, and is retrained in the background when due."""

from __future__ import annotations

import json
from pathlib import Path

import store_calls as calls
from stories_support import FakeClock, add, add_with_status

from reader_stories.models import Hold, HoldKind, Status
from reader_stories.moderation import held
from reader_stories.moderation.spam.learner import Learner, train_from_store
from reader_stories.store import Store

CORPUS = Path(__file__).parent / "corpus" / "comments.jsonl"


def corpus() -> list[tuple[str, bool]]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [(row["text"], row["label"] == "spam") for row in rows]


def decide(store: Store, examples: list[tuple[str, bool]]) -> None:
    """Each example stored as a moderator left it: published, or marked as spam."""
    for text, spam in examples:
        add_with_status(store, Status.SPAM if spam else Status.APPROVED, body_markdown=text)


def test_no_classifier_until_enough_decisions_of_each_kind(store: Store) -> None:
    examples = corpus()
    decide(store, [e for e in examples if not e[1]][:30] + [e for e in examples if e[1]][:19])
    assert train_from_store(store, min_each=20) is None
    decide(store, [e for e in examples if e[1]][19:20])
    model = train_from_store(store, min_each=20)
    assert model is not None and (model.ham, model.spam) == (30, 20)


def test_the_classifier_learns_the_sites_decisions(store: Store) -> None:
    examples = corpus()
    learn, judge = examples[::2], examples[1::2]
    decide(store, learn)
    learner = Learner()
    model = learner.train_now(store)
    assert model is not None
    right = sum((model.spam_probability(text) > 0.5) == spam for text, spam in judge)
    assert right / len(judge) >= 0.85
    signal = learner.signal("Check out my channel and subscribe, I subscribe back!! sub4sub")
    assert signal is not None and signal.code == "classifier" and signal.points > 0
    assert f"learned from {len(learn)} of this site's decisions" in signal.reason


def test_a_released_story_teaches_it_like_a_published_one(store: Store, clock: FakeClock) -> None:
    examples = corpus()
    decide(store, [e for e in examples if not e[1]][:20] + [e for e in examples if e[1]][:20])
    text = "Our careers fair had one stand of real recruiters and five of course sellers."
    story = add(store, clock, body_markdown=text, hold=Hold(HoldKind.SUSPECTED, ("x",)))
    before = train_from_store(store)
    held.release(store, [story.id])
    after = train_from_store(store)
    assert before is not None and after is not None
    assert (before.ham, after.ham) == (20, 21)
    calls.set_status(store, story.id, Status.SPAM, actor="moderator")  # changed its mind
    moved = train_from_store(store)
    assert moved is not None and (moved.ham, moved.spam) == (20, 21)


def test_retraining_runs_in_the_background_when_due(store: Store) -> None:
    decide(store, corpus())
    now = [0.0]
    learner = Learner(retrain_after=600, clock=lambda: now[0])
    learner.refresh(lambda: store)
    learner.wait(60)
    first = learner.model
    assert first is not None
    learner.refresh(lambda: store)  # not due yet: the same model stays, nothing runs
    learner.wait(60)
    assert learner.model is first
    add_with_status(store, Status.SPAM, body_markdown="Cheap followers and likes, buy now here.")
    now[0] = 601.0
    learner.refresh(lambda: store)
    learner.wait(60)
    assert learner.model is not first and learner.model is not None
    assert learner.model.spam == first.spam + 1
