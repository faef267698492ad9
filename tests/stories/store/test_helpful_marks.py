"""'This helped me' in the store: one mark per published story and network, an honest count."""

from __future__ import annotations

import pytest
from stories_support import add, add_with_status

from reader_stories.errors import StoryNotFound
from reader_stories.models import Status
from reader_stories.moderation import actions as moderation
from reader_stories.store import Store

NETWORK_A = "a" * 64
NETWORK_B = "b" * 64


def mark(store: Store, story_id: int, network: str):
    with store.writing() as tx:
        return tx.mark_helpful(story_id, network)


def test_each_network_counts_once_however_often_it_presses(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    first = mark(store, story.id, NETWORK_A)
    assert (first.article, first.count, first.counted) == (story.article, 1, True)
    for _ in range(5):
        again = mark(store, story.id, NETWORK_A)
        assert (again.count, again.counted) == (1, False)
    assert mark(store, story.id, NETWORK_B).count == 2
    assert store.get(story.id).helpful == 2
    assert [s.helpful for s in store.approved_for_article(story.article)] == [2]


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.SPAM])
def test_only_published_stories_can_be_marked(store: Store, status: Status) -> None:
    story = add_with_status(store, status)
    with pytest.raises(StoryNotFound):
        mark(store, story.id, NETWORK_A)
    with pytest.raises(StoryNotFound):
        mark(store, 999, NETWORK_A)
    assert store.get(story.id).helpful == 0


def test_a_deleted_story_takes_its_marks_with_it(store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    mark(store, story.id, NETWORK_A)
    moderation.delete(store, [story.id])
    with store.reading() as tx:
        assert tx.conn.exec_driver_sql("SELECT count(*) FROM helpful_marks").scalar() == 0


def test_a_new_story_starts_at_zero(store: Store) -> None:
    assert add(store).helpful == 0
