"""The store split into modules keeps one API, answers without reading rows back, loads light."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import store_calls as calls
from stories_support import FakeClock, submission

import reader_stories.store as store_module
from reader_stories.errors import QueueFull
from reader_stories.models import Status
from reader_stories.store import Store, Tx, open_store
from reader_stories.story_html import render_story


def test_every_public_name_and_query_is_reachable_from_the_store() -> None:
    for name in store_module.__all__:
        assert hasattr(store_module, name), name
    # One query of each concern, each from its own module, all on the one Tx.
    for query in ("add_submission", "count_rate_events", "claim_mail", "savepoint"):
        assert callable(getattr(Tx, query)), query


def test_an_inserted_story_is_answered_as_it_would_be_read_back(db_url: str) -> None:
    """The insert builds the Story from what it wrote: it must match a fresh read exactly,
    whatever time zone the clock gives."""
    clock = FakeClock(datetime(2025, 3, 1, 11, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2))))
    with open_store(db_url, clock=clock) as store:
        story = calls.add_submission(store, submission(email="ada@example.com", notify=True))
        assert story.created.tzinfo is UTC and story.created == clock.now
        assert store.get(story.id) == story
        calls.set_status(store, story.id, Status.APPROVED, actor="test")
        clock.advance(seconds=1)
        reply = calls.add_submission(store, submission(reply_to=story.id, name="Grace"))
        assert reply.parent_id == story.id
        assert store.get(reply.id) == reply
        answer = calls.add_author_reply(
            store, story.id, "Thank *you*.", author_name="Ed", actor="test"
        )
        assert answer.approved_at is not None and answer.approved_at.tzinfo is UTC
        assert store.get(answer.id) == answer
        bot = calls.add_submission(store, submission(honeypot=True))
        assert store.get(bot.id) == bot


def test_a_queue_longer_than_its_cap_is_full_and_a_cap_below_one_takes_nothing(
    store: Store,
) -> None:
    for name in ("One", "Two", "Three"):
        calls.add_submission(store, submission(name=name))
    for cap in (2, 3, 1, 0, -1):
        with pytest.raises(QueueFull):
            calls.add_submission(store, submission(name="Late"), max_pending=cap)
    assert (
        calls.add_submission(store, submission(name="Four"), max_pending=4).status is Status.PENDING
    )
    assert calls.pending_count(store) == 4


def test_a_submission_renders_once_and_a_changed_copy_renders_again() -> None:
    first = submission(body_markdown="It **hurt**, then it helped.")
    first.prepare()
    assert first.body_html == render_story(first.body_markdown)
    assert first.body_html is first.body_html
    changed = replace(first, body_markdown="It *helped* in the end.")
    assert changed.body_html == render_story("It *helped* in the end.")
    assert changed.body_hash != first.body_hash
    assert replace(first) == first


def test_the_store_loads_without_the_markdown_renderer() -> None:
    """`invoke comments.*` commands open the store; markdown-it costs tens of ms to import."""
    code = (
        "import sys\n"
        "import reader_stories.store\n"
        "import reader_stories.validation\n"
        "print(sorted(m for m in ('markdown_it', 'reader_stories.story_html') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
