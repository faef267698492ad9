"""Arrange approved stories into threads: stories in the order written, replies one level deep."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reader_stories.models import Story


@dataclass(frozen=True)
class Thread:
    story: Story
    replies: tuple[Story, ...] = ()


def threads(stories: Iterable[Story]) -> list[Thread]:
    """Top-level stories oldest first, each with its replies oldest first.

    A reply to a reply is shown under the top-level story, so nesting never goes deeper than one
    level; a reply whose story is not among `stories` is not shown at all.
    """
    ordered = sorted(stories, key=lambda story: (story.created, story.id))
    by_id = {story.id: story for story in ordered}
    replies: dict[int, list[Story]] = defaultdict(list)
    roots: list[Story] = []
    for story in ordered:
        if story.parent_id is None:
            roots.append(story)
            continue
        root = by_id.get(story.parent_id)
        while root is not None and root.parent_id is not None:
            root = by_id.get(root.parent_id)
        if root is not None:
            replies[root.id].append(story)
    return [Thread(root, tuple(replies[root.id])) for root in roots]


def group_by_article(stories: Iterable[Story]) -> dict[str, list[Story]]:
    grouped: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        grouped[story.article].append(story)
    return dict(grouped)
