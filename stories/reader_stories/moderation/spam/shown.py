"""A stored spam score in words, the same in the admin and on the command line: the points
and each reason, or that the story was never scored, and from what score stories are held."""

from __future__ import annotations

from reader_stories.models import SpamScore

# A story from before scores were kept, or an imported one: its score is unknown, not 0.
NOT_SCORED = "not scored (sent before scores were kept, or imported)"
NOTHING_FOUND = "nothing found"


def score_words(spam: SpamScore | None) -> str:
    """The score and its reasons on one line: "3: a link (+1); 2 codes of letters and digits
    (+2)", "0: nothing found", or NOT_SCORED."""
    if spam is None:
        return NOT_SCORED
    return f"{spam.points}: {'; '.join(spam.reasons) or NOTHING_FOUND}"


def held_from(threshold: int) -> str:
    """From what score a story waits in the held bin instead of the queue (spam_threshold),
    as a phrase to go in a sentence."""
    if threshold < 1:
        return "no story is held for its spam score (spam_threshold is 0)"
    return f"a story scoring {threshold} or more is held as suspected spam"


def threshold_words(threshold: int) -> str:
    """``held_from`` as a sentence of its own."""
    phrase = held_from(threshold)
    return f"{phrase[0].upper()}{phrase[1:]}."
