"""A story's spam score: the sum of its signals' points, each with its reason in words, and
what follows from it (a hold as suspected spam at the site's threshold).

``score_story`` runs where the intake can afford the time (a worker thread, outside the write
lock): the text's signals and the classifier. The rest runs inside the story's write
transaction, which is open anyway: ``with_repeats`` counts the other articles that got the same
text (one indexed read, seeing every story committed before this one, even in the same batch),
``with_spent_proof`` spends the story's proof of work (a proof counts for one story), and
``arrived`` keeps the text's shape for the next story's count, logs a hold, and makes room
in a full bin by dropping the oldest suspected stories, so a flood of spam never locks readers
out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reader_stories.models import Hold, HoldKind, SpamScore, Story, Submission
from reader_stories.moderation.spam.learner import Learner
from reader_stories.moderation.spam.proof import LIFETIME as PROOF_LIFETIME
from reader_stories.moderation.spam.proof import REUSED, SOLVED
from reader_stories.moderation.spam.shape import text_shape
from reader_stories.moderation.spam.signals import Signal, text_signals
from reader_stories.store import Tx
from reader_stories.store.spam import SHAPE_WINDOW

BIN_FULL_ACTOR = "held bin (full)"


@dataclass(frozen=True)
class Score:
    """The signals found in one story, and the shape of its text (None: too short)."""

    signals: tuple[Signal, ...] = ()
    shape: str | None = None
    shape_kept: int | None = None  # stories of this shape kept today, once with_repeats read them
    proof_id: str | None = None  # the solved proof of work it came with, spent when it is stored

    @property
    def points(self) -> int:
        return sum(signal.points for signal in self.signals)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Each signal in words with its points, e.g. "a link shortener (bit.ly) (+3)"."""
        return tuple(f"{signal.reason} ({signal.points:+d})" for signal in self.signals)

    @property
    def kept(self) -> SpamScore:
        """What the story keeps of its score, held or not: the points and the reasons."""
        return SpamScore(self.points, self.reasons)

    def hold(self, threshold: int) -> Hold | None:
        """Suspected spam at ``threshold`` points or more (0: the score holds nothing)."""
        if threshold < 1 or self.points < threshold:
            return None
        summary = f"spam score {self.points} (held from {threshold})"
        return Hold(HoldKind.SUSPECTED, (summary, *self.reasons))


def repeat_signal(others: int) -> Signal | None:
    """The same or nearly the same text sent to other articles in the last day."""
    if others < 1:
        return None
    where = "another article" if others == 1 else f"{others} other articles"
    return Signal("repeat", 3 if others == 1 else 5, f"the same text went to {where} today")


def score_story(
    submission: Submission,
    learner: Learner | None = None,
    site_script: str = "Latin",
    proven: Sequence[Signal] = (),
) -> Score:
    """Every signal the story itself shows, without the store (``with_repeats`` adds the count
    of repeats). ``proven``: what the story's proof of work showed (proof.py), read by the
    caller from the form."""
    text = submission.body_markdown
    signals = [*text_signals(text, submission.body_html, site_script), *proven]
    if learner is not None:
        learned = learner.signal(text)
        if learned is not None:
            signals.append(learned)
    return Score(tuple(signals), text_shape(text))


def with_repeats(tx: Tx, score: Score, article: str) -> Score:
    """``score`` with the count of other articles that got a text of the same shape today."""
    if score.shape is None:
        return score
    articles = tx.shape_rows(score.shape, tx.clock() - SHAPE_WINDOW)
    repeat = repeat_signal(len(set(articles) - {article}))
    signals = score.signals if repeat is None else (*score.signals, repeat)
    return replace(score, signals=signals, shape_kept=len(articles))


def with_spent_proof(tx: Tx, score: Score) -> Score:
    """``score`` once its proof of work is spent: the first story stored with a proof keeps
    the points it took off; another sent with the same proof loses them, and gets points."""
    if score.proof_id is None:
        return score
    if tx.spend_proof(score.proof_id, tx.clock() + PROOF_LIFETIME):
        return score
    kept = tuple(signal for signal in score.signals if signal != SOLVED)
    return replace(score, signals=(*kept, REUSED), proof_id=None)


def make_room(tx: Tx, max_held: int) -> list[int]:
    """Drop the oldest suspected stories until one more fits in the bin; their ids."""
    over = tx.held_count() - max_held + 1
    if over < 1:
        return []
    dropped = []
    for story_id in tx.oldest_suspected_ids(over):
        dropped.extend(tx.delete(story_id, actor=BIN_FULL_ACTOR))
    return dropped


def arrived(tx: Tx, story: Story, score: Score | None) -> None:
    """What a stored story leaves for the spam score: its shape, and its hold in the log."""
    if score is not None and score.shape is not None:
        tx.record_shape(story.id, score.shape, story.article, score.shape_kept)
    if story.hold is not None:
        codes = [s.code for s in score.signals] if score is not None else []
        if story.hold.kind != HoldKind.SUSPECTED:
            codes = [story.hold.kind.value, *codes]
        points = score.points if score is not None else None
        tx.log_hold(story.id, story.hold, points, codes)
