"""The held bin: stories set apart on arrival (suspected spam, a blocked writer, a listed word).

A held story is a waiting story, so every decision (approve, reject, spam, delete) works on it
as on any other and takes it out of the bin. What is the bin's own is here: listing it,
releasing stories into the moderator's queue (and undoing that), purging it on its own
schedule, and the count of the last day in words. Releasing a suspected story and marking one
as spam are the decisions the spam classifier learns from (store/spam.py reads them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from reader_stories.errors import InvalidTransition, StoryMoved
from reader_stories.models import HoldKind, Status, Story
from reader_stories.moderation.actions import DEFAULT_ACTOR
from reader_stories.moderation.per_story import Missing, Skipped, Sorted, _missing
from reader_stories.moderation.report import counted
from reader_stories.store import Store
from reader_stories.store.spam import SHAPE_WINDOW, HoldSummary

DEFAULT_HELD_DAYS = 14
SUMMARY_WINDOW = timedelta(days=1)
PURGE_ACTOR = "purge"
# The signals' codes (moderation/spam/signals.py) as a moderator reads them in a count.
SIGNAL_WORDS = {
    "links": "links",
    "shortener": "link shorteners",
    "mostly-links": "mostly links",
    "phrases": "spam phrasing",
    "codes": "codes",
    "script": "another script",
    "shouting": "capitals or exclamation marks",
    "repeat": "the same text on other articles",
    "classifier": "the classifier",
    "blocked": "a blocked writer",
    "listed": "a listed word or domain",
}


def listing(store: Store, kind: HoldKind | None = None) -> list[Story]:
    """The bin, newest first; ``kind`` keeps one kind of hold."""
    with store.reading() as tx:
        held = tx.pending(held=True)
    return [s for s in held if kind is None or (s.hold is not None and s.hold.kind == kind)]


def release_each(store: Store, ids: Iterable[int], *, actor: str = DEFAULT_ACTOR) -> Sorted:
    """Put every held story named into the queue; name the others and why (the command line)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValueError("give at least one story id")
    done: list[Story] = []
    skipped: list[Skipped] = []
    missing: list[Missing] = []
    with store.writing() as tx:
        for story_id in ids:
            story = tx.find(story_id)
            if story is None:
                missing.append(_missing(tx, story_id))
            elif story.status != Status.PENDING:
                skipped.append(Skipped(story_id, f"it is {story.status.value}, not held"))
            elif story.hold is None:
                skipped.append(Skipped(story_id, "it is in the queue already"))
            else:
                done.append(tx.release_held(story_id, actor=actor))
    return Sorted(tuple(done), tuple(skipped), tuple(missing))


def release(store: Store, ids: Sequence[int], *, actor: str = DEFAULT_ACTOR) -> list[Story]:
    """Put these held stories into the queue, all or none (the admin's forms): StoryMoved when
    one is no longer held."""
    with store.writing() as tx:
        for story_id in ids:
            story = tx.get(story_id)
            if story.status != Status.PENDING or story.hold is None:
                raise StoryMoved(story_id, _where(story), "held")
        return [tx.release_held(story_id, actor=actor) for story_id in ids]


def hold_again(store: Store, ids: Sequence[int], *, actor: str = DEFAULT_ACTOR) -> list[Story]:
    """Undo a release, all or none: each story goes back to the bin it came from, while it
    still waits in the queue."""
    with store.writing() as tx:
        for story_id in ids:
            try:
                tx.hold_again(story_id, actor=actor)
            except InvalidTransition:
                raise StoryMoved(story_id, _where(tx.get(story_id)), "in the queue") from None
        return tx.get_many(list(ids))


def _where(story: Story) -> str:
    if story.status != Status.PENDING:
        return story.status.value
    return "held" if story.hold is not None else "in the queue"


def purge(store: Store, days: int = DEFAULT_HELD_DAYS) -> list[int]:
    """Drop held stories nobody has touched for ``days``, with the bin's old log and the
    texts' shapes past the day they are compared over; the ids that went."""
    if days < 1:
        raise ValueError("Keep held stories for at least 1 day.")
    with store.writing() as tx:
        now = tx.clock()
        gone: list[int] = []
        for story_id in tx.held_unchanged_since(now - timedelta(days=days)):
            if story_id not in gone:
                gone.extend(tx.delete(story_id, actor=PURGE_ACTOR))
        tx.prune_hold_log(now - timedelta(days=max(days, 1)))
        tx.prune_shapes(now - SHAPE_WINDOW)
        tx.prune_spent_proofs(now)
        return gone


def summary(store: Store) -> HoldSummary:
    """The stories held on arrival over the last day."""
    with store.reading() as tx:
        return tx.hold_summary(tx.clock() - SUMMARY_WINDOW)


def describe_summary(held: HoldSummary) -> str:
    """ "Held over the last day: 12 (10 suspected, 2 blocked); found: links 9, spam phrasing 4." """
    if not held.total:
        return "Held over the last day: none."
    kinds = ", ".join(
        f"{count} {kind.value}" for kind, count in sorted(held.kinds.items(), key=_by_count)
    )
    found = ", ".join(
        f"{SIGNAL_WORDS.get(code, code)} {count}" for code, count in held.signals.most_common()
    )
    line = f"Held over the last day: {held.total:,} ({kinds})"
    return f"{line}; found: {found}." if found else f"{line}."


def _by_count(item: tuple[HoldKind, int]) -> tuple[int, str]:
    return (-item[1], item[0].value)


def describe_released(stories: Sequence[Story]) -> list[str]:
    return [f"#{s.id} put in the queue ({s.article}, by {s.name})" for s in stories]


def describe_purged(ids: Sequence[int], days: int) -> str:
    stories = counted(len(ids), "held story", "held stories")
    return f"Removed {stories} nobody looked at in {counted(days, 'day', 'days')}."
