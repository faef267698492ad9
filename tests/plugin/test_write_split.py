"""When the articles' pages are written by several processes: writer-signal listeners that keep
state in the build's process keep the build in one process; listeners that say they are
`split_safe` do not."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from pelican import signals

from nextround import ahead
from nextround.write_split import _processes

pytestmark = pytest.mark.skipif(not ahead.can_fork(), reason="the shares are forked")


def _generator() -> Any:
    settings = {"BUILD_PROCESSES": 2, "BUILD_PARALLEL_MIN_FILES": 0}
    return SimpleNamespace(settings=settings, articles=[object()] * 4, drafts=[])


def _writer() -> Any:
    return SimpleNamespace(_written_files=set())


@pytest.fixture
def listening() -> Iterator[list[Any]]:
    """Listeners connected for one test, disconnected after it."""
    connected: list[Any] = []
    yield connected
    for listener in connected:
        signals.content_written.disconnect(listener)


def test_no_writer_listener_lets_two_processes_write() -> None:
    assert _processes(_generator(), _writer()) == 2


def test_a_listener_that_keeps_state_keeps_one_process(listening: list[Any]) -> None:
    heard: list[str] = []

    def remember(path: str, context: dict[str, Any]) -> None:
        heard.append(path)

    signals.content_written.connect(remember)
    listening.append(remember)
    assert _processes(_generator(), _writer()) == 1


def test_split_safe_listeners_let_two_processes_write(listening: list[Any]) -> None:
    def write_beside(path: str, context: dict[str, Any]) -> None:
        """Writes a file of its own beside the one written."""

    write_beside.split_safe = True  # type: ignore[attr-defined]
    signals.content_written.connect(write_beside)
    listening.append(write_beside)
    assert _processes(_generator(), _writer()) == 2

    def remember(path: str, context: dict[str, Any]) -> None:
        """Not split-safe: one such listener is enough to keep one process."""

    signals.content_written.connect(remember)
    listening.append(remember)
    assert _processes(_generator(), _writer()) == 1


def test_the_stories_feed_writer_is_split_safe(listening: list[Any]) -> None:
    from reader_stories.pelican_plugin import write_article_feed

    signals.content_written.connect(write_article_feed)
    listening.append(write_article_feed)
    assert _processes(_generator(), _writer()) == 2
