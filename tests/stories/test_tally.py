"""The stories' tally (pages/tally.py): made in a forked process while the build does other
work, it is the tally the build's own process makes; when it cannot be trusted, it is None and
the build tallies itself."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from test_windows import ARTICLES, publish

from reader_stories.pages.published import ApprovedReader, approved_for_build
from reader_stories.pages.tally import TallyAhead, tally

pytestmark = pytest.mark.skipif(
    not TallyAhead.possible(1000, 2), reason="tallying ahead forks a process"
)


def own_tally(url: str, slugs: list[str]):  # type: ignore[no-untyped-def]
    reader = ApprovedReader(url)
    try:
        return tally(reader, slugs)
    finally:
        reader.close()


def test_the_tally_counts_every_articles_stories_and_lists_the_newest(db_url: str) -> None:
    publish(db_url)
    counted = own_tally(db_url, ARTICLES)
    assert counted.counts == {"a": 2, "b": 3, "c": 0, "d": 2, "e": 0}
    everything = approved_for_build(db_url)
    assert sorted(counted.ids) == sorted(story.id for story in everything)
    assert counted.newest == sorted(everything, key=lambda s: (s.created, s.id), reverse=True)
    assert counted.updated == max(story.updated for story in everything)


def test_a_tally_made_ahead_is_the_one_made_here(db_url: str) -> None:
    publish(db_url)
    ahead = TallyAhead(db_url, ARTICLES).take(ARTICLES)  # never tallied here: None if not ahead
    assert ahead is not None
    assert ahead == own_tally(db_url, ARTICLES)


def test_a_tally_for_other_articles_is_not_taken(db_url: str) -> None:
    publish(db_url)
    assert TallyAhead(db_url, ARTICLES).take(ARTICLES[:-1]) is None


def test_a_tally_that_failed_ahead_is_none(tmp_path: Path) -> None:
    damaged = tmp_path / "stories.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)
    assert TallyAhead(f"sqlite:///{damaged}", ARTICLES).take(ARTICLES) is None


def test_a_tally_that_warned_ahead_is_none(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning logged while tallying would be lost in the other process: the build's own
    process tallies again and reports it."""
    publish(db_url)
    import reader_stories.pages.tally as module

    original = module.tally

    def warning_tally(reader, slugs):  # type: ignore[no-untyped-def]
        logging.getLogger("reader_stories").warning("Story #1 is odd")
        return original(reader, slugs)

    monkeypatch.setattr(module, "tally", warning_tally)
    assert TallyAhead(db_url, ARTICLES).take(ARTICLES) is None


def test_tallying_ahead_needs_many_articles_and_more_than_one_process() -> None:
    assert not TallyAhead.possible(10, None)
    assert not TallyAhead.possible(1000, 1)
    assert TallyAhead.possible(1000, 2)


def test_without_affinity_the_cores_are_counted_as_the_system_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """macOS has no sched_getaffinity: the cores are os.cpu_count()."""
    monkeypatch.delattr("os.sched_getaffinity")
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert not TallyAhead.possible(1000, None)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert TallyAhead.possible(1000, None)
