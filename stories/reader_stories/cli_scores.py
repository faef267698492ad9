"""What the command line prints of a story's spam score: a field in each line of the queue
with its reasons under it, the lines of `show`, and the fields of the JSON lists.

The words are moderation/spam/shown.py's, which the admin shares; a story never scored (from
before scores were kept, or imported) says so rather than showing a score of nothing.
"""

from __future__ import annotations

from reader_stories.models import Story
from reader_stories.moderation.spam.shown import NOT_SCORED, held_from

INDENT = " " * 9  # under a listing line's text, as the held bin's reasons are
UNSCORED = "unscored"
FIELD_WIDTH = len(UNSCORED)


def score_field(story: Story) -> str:
    """The score as a listing line's field, of one width: "score 3 " or "unscored"."""
    said = UNSCORED if story.spam is None else f"score {story.spam.points}"
    return f"{said:<{FIELD_WIDTH}}"


def reason_lines(story: Story) -> list[str]:
    """The score's reasons on one line under the story's (none when nothing was found)."""
    if story.spam is None or not story.spam.reasons:
        return []
    return [INDENT + "; ".join(story.spam.reasons)]


def score_record(story: Story) -> dict[str, object]:
    """The score in a story's JSON: ``spam_score`` (null: never scored) and its reasons."""
    spam = story.spam
    return {
        "spam_score": None if spam is None else spam.points,
        "spam_reasons": [] if spam is None else list(spam.reasons),
    }


def show_lines(story: Story, threshold: int | None = None) -> list[str]:
    """`show`'s lines: the score beside the ``threshold`` it is held from (when given), each
    reason under it. Nothing for an author's reply, which is never scored."""
    if story.author_reply:
        return []
    if story.spam is None:
        return [f"Spam:    {NOT_SCORED}"]
    beside = "" if threshold is None else f" ({held_from(threshold)})"
    lines = [f"Spam:    score {story.spam.points}{beside}"]
    return lines + [f"{INDENT}- {reason}" for reason in story.spam.reasons]
