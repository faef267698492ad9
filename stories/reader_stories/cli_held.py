"""What the command line prints about the held bin: its stories with their kind and reasons,
and the count of the last day under the queue."""

from __future__ import annotations

import json

from reader_stories.cli_views import story_record
from reader_stories.models import HoldKind, Story
from reader_stories.moderation import held
from reader_stories.moderation.report import counted
from reader_stories.store import Store


def held_record(story: Story) -> dict[str, object]:
    """A held story's JSON: the queue's shape, with the kind of hold and its reasons."""
    record = story_record(story)
    if story.hold is not None:
        record["held"] = story.hold.kind.value
        record["reasons"] = list(story.hold.reasons)
    return record


def held_listing(store: Store, kind: HoldKind | None, as_json: bool = False) -> str:
    """The bin, newest first, each story with why it is held (``kind``: one kind only)."""
    stories = held.listing(store, kind)
    if as_json:
        return json.dumps([held_record(s) for s in stories], ensure_ascii=False, indent=2)
    what = "suspected of spam" if kind == HoldKind.SUSPECTED else "held apart from the queue"
    if not stories:
        return "\n".join([f"No stories are {what}.", held.describe_summary(held.summary(store))])
    from reader_stories.story_html import plain_text  # markdown-it: only listings need it

    lines = [f"{counted(len(stories), 'story', 'stories')} {what} (newest first):"]
    for story in stories:
        opening = " ".join(plain_text(story.body_markdown, limit=60).split())
        kind_word = story.hold.kind.value if story.hold else ""
        lines.append(
            f"#{story.id:<5} {story.created:%Y-%m-%d %H:%M}  {story.article}  {kind_word}  "
            f"by {story.name}: {opening}"
        )
        lines.extend(
            f"         - {reason}" for reason in (story.hold.reasons if story.hold else ())
        )
    lines.append(
        "Put one in the queue with `release ID`; confirm spam with `spam IDS`, or leave them "
        "for `purge`."
    )
    return "\n".join([*lines, held.describe_summary(held.summary(store))])


def held_notice(store: Store) -> list[str]:
    """Under the queue: how many wait in the bin, and the count of the last day."""
    with store.reading() as tx:
        waiting = tx.held_count()
    if not waiting:
        return []
    return [
        f"{counted(waiting, 'story is', 'stories are')} held apart from the queue "
        "(`pending --held` lists them).",
        held.describe_summary(held.summary(store)),
    ]
