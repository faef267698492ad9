"""The stories' worker (pages/ahead.py): forked before the build reads, it tallies the stories
and renders each article's section and feed. What it gives is what the build's own process
makes, byte for byte; when it cannot be trusted it gives None, and the build does that part
itself."""

from __future__ import annotations

import logging
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stories_support import make_config
from test_windows import ARTICLES, publish

from reader_stories.models import Story
from reader_stories.pages import ahead as module
from reader_stories.pages.ahead import Source, StoriesAhead
from reader_stories.pages.published import ApprovedReader, approved_for_build
from reader_stories.pages.section import ArticleRef, render_feed, render_section
from reader_stories.pages.tally import tally
from reader_stories.pages.templates import environment
from reader_stories.settings import CommentsSettings
from reader_stories.threads import group_by_article, threads

pytestmark = pytest.mark.skipif(
    not StoriesAhead.possible(1000, 2), reason="the stories' worker is forked"
)

SECRET = "k" * 40
SITE = make_config(CommentsSettings(secret_key=SECRET)).site
REFS = [
    ArticleRef(slug, f"Article {slug}", f"{slug}/", datetime(2026, 1, 2, tzinfo=UTC))
    for slug in ARTICLES
]


def own_tally(url: str, slugs: list[str]):  # type: ignore[no-untyped-def]
    reader = ApprovedReader(url)
    try:
        return tally(reader, slugs)
    finally:
        reader.close()


def made_here(url: str, ref: ArticleRef) -> tuple[str, str]:
    """The section and feed the build's own process renders for `ref`."""
    env = environment(SITE.templates)
    stories: list[Story] = group_by_article(approved_for_build(url)).get(ref.slug, [])
    section = render_section(env, ref, SITE, SECRET, threads(stories))
    return section, render_feed(env, ref, SITE, stories)


def source(url: str, output: Path) -> Source:
    return Source(url, SITE, SECRET, str(output))


@pytest.fixture
def worker(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    started = StoriesAhead(source(db_url, tmp_path / "site"))
    yield started
    started.close()


def test_the_tally_counts_every_articles_stories_and_lists_the_newest(db_url: str) -> None:
    publish(db_url)
    counted = own_tally(db_url, ARTICLES)
    assert counted.counts == {"a": 2, "b": 3, "c": 0, "d": 2, "e": 0}
    everything = approved_for_build(db_url)
    assert sorted(counted.ids) == sorted(story.id for story in everything)
    assert counted.newest == sorted(everything, key=lambda s: (s.created, s.id), reverse=True)
    assert counted.updated == max(story.updated for story in everything)


def test_a_tally_made_ahead_is_the_one_made_here(db_url: str, worker: StoriesAhead) -> None:
    publish(db_url)
    worker.start_tally(ARTICLES)
    ahead = worker.take_tally(ARTICLES)  # never tallied here: None if not ahead
    assert ahead is not None
    assert ahead == own_tally(db_url, ARTICLES)


def test_a_tally_for_other_articles_is_not_taken(db_url: str, worker: StoriesAhead) -> None:
    publish(db_url)
    worker.start_tally(ARTICLES)
    assert worker.take_tally(ARTICLES[:-1]) is None
    assert worker.take_tally(ARTICLES) is None  # given once, and not for these articles


def test_a_tally_that_failed_ahead_is_none(tmp_path: Path) -> None:
    damaged = tmp_path / "stories.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)
    worker = StoriesAhead(source(f"sqlite:///{damaged}", tmp_path / "site"))
    try:
        worker.start_tally(ARTICLES)
        assert worker.take_tally(ARTICLES) is None
        # A worker that failed once does nothing more: the build renders every section itself.
        worker.start_rendering(REFS)
        assert worker.section("a") is None
    finally:
        worker.close()


def test_a_tally_that_warned_ahead_is_none(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A warning logged in the worker would be lost there: the build's own process tallies
    again and reports it."""
    publish(db_url)
    original = module.tally

    def warning_tally(reader, slugs):  # type: ignore[no-untyped-def]
        logging.getLogger("reader_stories").warning("Story #1 is odd")
        return original(reader, slugs)

    monkeypatch.setattr(module, "tally", warning_tally)  # before the fork: the worker has it
    worker = StoriesAhead(source(db_url, tmp_path / "site"))
    try:
        worker.start_tally(ARTICLES)
        assert worker.take_tally(ARTICLES) is None
        # Only that job is given up: the worker renders the sections still.
        worker.start_rendering(REFS)
        assert worker.section("a") == made_here(db_url, REFS[0])[0]
    finally:
        worker.close()


@pytest.mark.parametrize("job_articles", [1, 2, 32])
def test_sections_rendered_and_feeds_written_ahead_are_those_made_here(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, job_articles: int
) -> None:
    publish(db_url)
    monkeypatch.setattr(module, "JOB_ARTICLES", job_articles)
    site = tmp_path / "site"
    worker = StoriesAhead(source(db_url, site))
    try:
        worker.start_rendering(REFS)
        sections = {}
        for ref in REFS:
            section, feed = made_here(db_url, ref)
            sections[ref.slug] = worker.section(ref.slug)
            assert sections[ref.slug] == section
            assert worker.feed_written(ref.slug)
            written = site / ref.slug / "stories.atom.xml"
            assert written.read_text("utf-8") == feed
        assert worker.sections_taken == len(REFS)
    finally:
        worker.close()
    assert "Same here, it worked for me too." in sections["b"]  # the reply, in its thread


def test_a_job_that_warned_writes_nothing_and_leaves_its_articles_to_the_build(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A warning (a story whose text is no longer accepted, say) is reported by the build's
    own process, which renders those articles itself."""
    publish(db_url)
    monkeypatch.setattr(module, "JOB_ARTICLES", 2)
    original = module.render_feed

    def warning_feed(env, ref, site, stories):  # type: ignore[no-untyped-def]
        if ref.slug == "c":
            logging.getLogger("reader_stories").warning("Story #3 is odd")
        return original(env, ref, site, stories)

    monkeypatch.setattr(module, "render_feed", warning_feed)
    site = tmp_path / "site"
    worker = StoriesAhead(source(db_url, site))
    try:
        worker.start_rendering(REFS)
        got = [worker.section(slug) for slug in ARTICLES]
        fed = [worker.feed_written(slug) for slug in ARTICLES]
    finally:
        worker.close()
    assert got[2:4] == [None, None]  # the job of c and d
    assert fed == [False, False, False, False, True]  # only the last job's feed is current
    assert got[4] == made_here(db_url, REFS[4])[0]
    assert not (site / "c").exists() and not (site / "d").exists()
    assert (site / "e" / "stories.atom.xml").is_file()


def test_an_article_asked_for_out_of_order_is_left_to_the_caller(
    db_url: str, monkeypatch: pytest.MonkeyPatch, worker: StoriesAhead
) -> None:
    """Pages are written in the order the articles were listed; an article asked for after a
    later one (or one never listed) is rendered by the build, and the rest still come ahead."""
    publish(db_url)
    monkeypatch.setattr(module, "JOB_ARTICLES", 2)
    worker.start_rendering(REFS)
    assert worker.section("c") == made_here(db_url, REFS[2])[0]
    assert worker.section("a") is None
    assert worker.section("none-such") is None
    assert worker.section("e") == made_here(db_url, REFS[4])[0]


def test_a_process_forked_from_the_build_renders_itself(db_url: str, worker: StoriesAhead) -> None:
    """A process forked from the build (by another plugin, say) renders its own stories."""
    publish(db_url)
    worker.start_rendering(REFS)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, b"none" if worker.section("a") is None else b"some")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 4) == b"none"
    assert worker.section("a") == made_here(db_url, REFS[0])[0]


def test_a_worker_that_died_leaves_every_section_to_the_build(
    db_url: str, worker: StoriesAhead
) -> None:
    publish(db_url)
    worker.start_tally(ARTICLES)
    assert worker.take_tally(ARTICLES) is not None
    for pid in list(worker._executor._processes):  # the worker, by its pid
        os.kill(pid, signal.SIGKILL)
    worker.start_rendering(REFS)
    assert [worker.section(slug) for slug in ARTICLES] == [None] * len(ARTICLES)
    assert not worker.feed_written("a")


def test_the_worker_ends_once_the_last_job_is_taken(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    publish(db_url)
    monkeypatch.setattr(module, "JOB_ARTICLES", 1)
    site = tmp_path / "site"
    worker = StoriesAhead(source(db_url, site))
    processes = list(worker._executor._processes.values())
    try:
        worker.start_rendering(REFS)
        for ref in REFS[:-1]:
            assert worker.section(ref.slug) == made_here(db_url, ref)[0]
        assert all(process.is_alive() for process in processes)  # one job per article
        last = REFS[-1]
        assert worker.section(last.slug) == made_here(db_url, last)[0]
        assert not any(process.is_alive() for process in processes)
        assert worker.feed_written(last.slug)  # the sections it sent are still used
    finally:
        worker.close()
    assert worker.sections_taken == len(REFS)


def test_closing_ends_the_worker(db_url: str, tmp_path: Path) -> None:
    worker = StoriesAhead(source(db_url, tmp_path))
    processes = list(worker._executor._processes.values())
    assert processes and all(process.is_alive() for process in processes)
    worker.close()
    assert not any(process.is_alive() for process in processes)
    assert worker.section("a") is None


def test_working_ahead_needs_many_articles_and_more_than_one_process() -> None:
    assert not StoriesAhead.possible(10, None) or os.cpu_count() == 1
    assert not StoriesAhead.possible(10, 2)
    assert not StoriesAhead.possible(1000, 1)
    assert StoriesAhead.possible(1000, 2)


def test_without_affinity_the_cores_are_counted_as_the_system_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """macOS has no sched_getaffinity: the cores are os.cpu_count()."""
    monkeypatch.delattr("os.sched_getaffinity")
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert not StoriesAhead.possible(1000, None)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert StoriesAhead.possible(1000, None)
