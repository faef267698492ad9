"""The spam score measured on a labelled corpus (corpus/README.md says what it is), with
five-fold cross-validation repeated over three shuffles: in each fold the classifier learns
from four fifths of the corpus, as it would from a site's decisions, and the whole score
(local signals and classifier) judges the fifth it never saw.

The goal is to hold at least 95% of spam and at most 1% of readers' stories (docs/stories.md
gives the numbers). The classifier's smoothing was chosen on this corpus, so a second measure
chooses it again inside each fold, from the fold's own four fifths alone (nested
cross-validation): what a value picked on data it never judges reaches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sklearn.model_selection import StratifiedKFold
from stories_support import submission

from reader_stories.moderation.spam.learner import SMOOTHING, Learner, train
from reader_stories.moderation.spam.score import score_story
from reader_stories.settings import CommentsSettings

CORPUS = Path(__file__).parent / "corpus" / "comments.jsonl"
THRESHOLD = CommentsSettings().spam_threshold
SHUFFLES = (1, 2, 3)


@dataclass(frozen=True)
class Judged:
    spam: bool
    held: bool


@dataclass(frozen=True)
class Measure:
    judged: tuple[Judged, ...]

    def count(self, *, spam: bool, held: bool) -> int:
        return sum(1 for j in self.judged if j.spam == spam and j.held == held)

    @property
    def recall(self) -> float:
        """Of the spam, how much was held."""
        caught = self.count(spam=True, held=True)
        return caught / (caught + self.count(spam=True, held=False))

    @property
    def precision(self) -> float:
        """Of what was held, how much was spam."""
        caught = self.count(spam=True, held=True)
        return caught / (caught + self.count(spam=False, held=True))

    @property
    def readers_held(self) -> float:
        """Of the readers' stories, how many were held."""
        wrong = self.count(spam=False, held=True)
        return wrong / (wrong + self.count(spam=False, held=False))


def load() -> tuple[list[str], list[bool]]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [row["text"] for row in rows], [row["label"] == "spam" for row in rows]


SMOOTHINGS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def _judge(
    texts: list[str],
    labels: list[bool],
    learn_from: Sequence[int],
    judge: Sequence[int],
    smoothing: float | None,
) -> list[Judged]:
    """Learn from `learn_from` (nothing with no smoothing: the signals alone), judge `judge`."""
    learner = Learner()
    if smoothing is not None:
        learner.model = train(
            [texts[i] for i in learn_from], [labels[i] for i in learn_from], smoothing
        )
    return [
        Judged(
            labels[i], score_story(submission(body_markdown=texts[i]), learner).points >= THRESHOLD
        )
        for i in judge
    ]


def _folds(labels: list[bool], among: Sequence[int], count: int, seed: int) -> list[tuple]:
    """Stratified folds of the positions `among`, as lists of those positions."""
    folds = StratifiedKFold(count, shuffle=True, random_state=seed)
    split = folds.split(list(among), [labels[i] for i in among])
    return [([among[i] for i in a], [among[i] for i in b]) for a, b in split]


def cross_validate(*, learning: bool) -> Measure:
    texts, labels = load()
    judged = []
    for shuffle in SHUFFLES:
        for learn_from, judge in _folds(labels, range(len(texts)), 5, shuffle):
            smoothing = SMOOTHING if learning else None
            judged += _judge(texts, labels, learn_from, judge, smoothing)
    return Measure(tuple(judged))


def _choose_smoothing(texts: list[str], labels: list[bool], among: list[int]) -> float:
    """The smoothing that does best on four folds of `among` alone: the most spam held, with a
    reader held weighing ten times a spam missed."""

    def quality(smoothing: float) -> float:
        inner = [
            judged
            for learn_from, judge in _folds(labels, among, 4, 0)
            for judged in _judge(texts, labels, learn_from, judge, smoothing)
        ]
        measured = Measure(tuple(inner))
        return measured.recall - 10 * measured.readers_held

    return max(SMOOTHINGS, key=quality)


def nested_cross_validate() -> tuple[Measure, list[float]]:
    texts, labels = load()
    judged, chosen = [], []
    for shuffle in SHUFFLES:
        for learn_from, judge in _folds(labels, range(len(texts)), 5, shuffle):
            smoothing = _choose_smoothing(texts, labels, learn_from)
            chosen.append(smoothing)
            judged += _judge(texts, labels, learn_from, judge, smoothing)
    return Measure(tuple(judged)), chosen


def test_the_corpus_is_what_its_readme_says() -> None:
    texts, labels = load()
    assert (labels.count(False), labels.count(True)) == (135, 124)
    assert len(set(texts)) == len(texts)
    assert CORPUS.stat().st_size < 100_000


@pytest.mark.slow
def test_the_score_holds_most_spam_and_almost_no_reader() -> None:
    measured = cross_validate(learning=True)
    print(
        f"\nspam score at {THRESHOLD}: recall {measured.recall:.1%}, precision "
        f"{measured.precision:.1%}, readers' stories held {measured.readers_held:.1%}"
    )
    assert measured.readers_held <= 0.01
    assert measured.recall >= 0.95
    assert measured.precision >= 0.99


@pytest.mark.slow
def test_a_smoothing_chosen_without_the_judged_fold_reaches_the_goals_too() -> None:
    measured, chosen = nested_cross_validate()
    print(
        f"\nnested: recall {measured.recall:.1%}, readers' stories held "
        f"{measured.readers_held:.1%}, smoothing chosen {sorted(set(chosen))}"
    )
    assert measured.readers_held <= 0.01
    assert measured.recall >= 0.95


def test_without_the_classifier_the_signals_alone_never_hold_a_reader() -> None:
    """The rules alone are cautious: they hold only the plainest spam, and no reader."""
    measured = cross_validate(learning=False)
    assert measured.readers_held == 0
    assert 0.15 <= measured.recall < 0.5
