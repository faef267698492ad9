"""The order of an article's stories: each order, ties, replies kept with their story, and the
setting's checks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from stories_support import START

from reader_stories.models import Status, Story
from reader_stories.settings import SettingsError, build_settings
from reader_stories.story_order import Order, in_order, parse_order
from reader_stories.threads import threads

SECRET = "s" * 40


def at(story_id: int, minutes: int, helpful: int = 0, parent: int | None = None) -> Story:
    moment = START + timedelta(minutes=minutes)
    return Story(
        id=story_id,
        article="asking-for-a-raise",
        parent_id=parent,
        name=f"Reader {story_id}",
        body_markdown="A story of my own, told briefly.",
        body_html="<p>A story of my own, told briefly.</p>",
        status=Status.APPROVED,
        created=moment,
        updated=moment,
        approved_at=moment,
        edited=False,
        author_reply=False,
        reject_reason=None,
        email=None,
        notify=False,
        helpful=helpful,
    )


STORIES = [
    at(1, 0, helpful=1),
    at(2, 10, helpful=4),
    at(3, 20, helpful=1),
    at(4, 30, parent=1),  # replies stay under their story, oldest first
    at(5, 40, parent=1),
]


def order_of(order: str) -> list[tuple[int, list[int]]]:
    return [(t.story.id, [r.id for r in t.replies]) for t in in_order(threads(STORIES), order)]


def test_each_order_keeps_replies_with_their_story() -> None:
    assert order_of("oldest") == [(1, [4, 5]), (2, []), (3, [])]
    assert order_of("newest") == [(3, []), (2, []), (1, [4, 5])]
    # The same count: the older story first.
    assert order_of("helped") == [(2, []), (1, [4, 5]), (3, [])]


def test_an_order_is_read_in_any_case_and_an_unknown_one_is_named() -> None:
    assert parse_order(" Helped ", "x") is Order.HELPED
    with pytest.raises(ValueError) as wrong:
        parse_order("popular", "Stories-Order in content/articles/a.md")
    assert str(wrong.value).startswith(
        "Stories-Order in content/articles/a.md is 'popular'; write one of oldest, newest, helped"
    )


def test_the_setting_defaults_to_oldest_and_refuses_what_it_does_not_know(
    tmp_path: Path,
) -> None:
    base = {"secret_key": SECRET}
    assert build_settings(base, {}, tmp_path).stories_order == "oldest"
    chosen = build_settings(base, {"COMMENTS_STORIES_ORDER": "NEWEST"}, tmp_path)
    assert chosen.stories_order == "newest"
    with pytest.raises(SettingsError) as wrong:
        build_settings({**base, "stories_order": "best"}, {}, tmp_path)
    assert str(wrong.value).startswith(
        "COMMENTS_STORIES_ORDER is 'best'; write one of oldest, newest, helped"
    )
