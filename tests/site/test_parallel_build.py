"""A build with worker processes writes exactly the files a one-process build writes, byte for
byte, and reports the same problems, once each."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from bench.stories_seed import seed_store
from nextround import ahead
from reader_stories.pages import ahead as stories_ahead
from sitetools.build import BuildFailed, build_site

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SITEURL = "http://127.0.0.1:8000"
SECRET = "test-secret-key-that-is-long-enough-0123456789"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ahead.can_fork(), reason="the build's workers are forked"),
]

EXTRA = {
    "drafted.md": "Title: Still a draft\nDate: 2026-03-01\nStatus: draft\nSlug: drafted\n\n"
    "Unfinished, with a tip.\n\n/// tip | Keep going\nNearly there.\n///\n",
    "hidden.md": "Title: Hidden one\nDate: 2026-03-02\nStatus: hidden\nSlug: hidden-one\n\n"
    "Reachable by its address only.\n",
}
PAGES = {
    "draft-page.md": "Title: A page in progress\nStatus: draft\n\nNot yet.\n",
    "hidden-page.md": "Title: Hidden page\nStatus: hidden\n\nOnly by link.\n",
}


@pytest.fixture(autouse=True)
def fresh_log_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pelican drops a message its process has logged before: each test's builds say theirs."""
    from pelican.log import LimitFilter

    monkeypatch.setattr(LimitFilter, "_raised_messages", set())
    monkeypatch.setattr(LimitFilter, "_ignore", set())


def _corpus(folder: Path, generated: int) -> Path:
    """The real content/, with `generated` benchmark articles, drafts and hidden content
    beside it when `generated` is not 0."""
    content = folder / "content"
    if generated:
        specs = write_corpus(content, generated)
        seed_store(f"sqlite:///{folder / 'stories.sqlite3'}", specs, 3, 1)
    shutil.copytree(ROOT / "content", content, dirs_exist_ok=True)
    if generated:
        for name, text in EXTRA.items():
            (content / "articles" / name).write_text(text, "utf-8")
        for name, text in PAGES.items():
            (content / "pages" / name).write_text(text, "utf-8")
    return content


def _build(
    folder: Path, content: Path, name: str, processes: int, more: dict | None = None
) -> Path:
    output = folder / name
    build_site(
        SETTINGS,
        output,
        {
            "PATH": str(content),
            "SITEURL": SITEURL,
            "CACHE_PATH": str(folder / f"cache-{name}"),
            "COMMENTS": {
                "database_url": f"sqlite:///{folder / 'stories.sqlite3'}",
                "secret_key": SECRET,
                "policy_url": "privacy/",
            },
            "BUILD_PROCESSES": processes,
            "BUILD_PARALLEL_MIN_FILES": 0,
            **(more or {}),
        },
        search_index=False,
    )
    return output


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(site)): path.read_bytes() for path in site.rglob("*") if path.is_file()
    }


@pytest.mark.parametrize("generated", [0, 60], ids=["content", "corpus"])
def test_a_build_with_workers_writes_the_same_bytes_as_one_process(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    generated: int,
) -> None:
    monkeypatch.setattr(stories_ahead, "MIN_ARTICLES", 0)  # the stories' worker, as on a large site
    content = _corpus(tmp_path, generated)
    one = _files(_build(tmp_path, content, "one", 1))
    with (
        caplog.at_level(logging.DEBUG, logger="nextround"),
        caplog.at_level(logging.DEBUG, logger="reader_stories"),
    ):
        two = _files(_build(tmp_path, content, "two", 2))
    said = caplog.text
    assert f"Markdown files of {content} in 2 worker processes" in said
    assert "were tallied ahead" in said
    assert "were rendered ahead" in said
    assert "were counted where they were converted" in said
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    if generated:
        for expected in (
            "drafts/drafted/index.html",
            "hidden-one/index.html",
            "cards",
            "images/sized",
            "tips/index.html",
        ):
            assert any(name.startswith(expected) for name in one), expected
        assert any("stories" in name and name.endswith(".xml") for name in one)


def test_the_content_cache_still_serves_files_and_they_are_not_converted_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories_ahead, "MIN_ARTICLES", 0)
    content = _corpus(tmp_path, 60)
    cached = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    prime = _files(_build(tmp_path, content, "prime", 2, cached))
    assert prime == _files(_build(tmp_path, content, "one", 1))
    edited = sorted((content / "articles").glob("*.md"))[:2]
    for path in edited:
        path.write_text(path.read_text("utf-8") + "\nEdited since the last build.\n", "utf-8")
    with (
        caplog.at_level(logging.DEBUG, logger="nextround"),
        caplog.at_level(logging.DEBUG, logger="reader_stories"),
    ):
        again = _files(_build(tmp_path, content, "prime", 2, cached))
    # Only the two edited files were converted; the cache served the others. The stories'
    # worker rendered every article's stories all the same.
    assert f"Converting 2 Markdown files of {content}" in caplog.text
    assert "were rendered ahead" in caplog.text
    assert again == _files(_build(tmp_path, content, "fresh", 1))
    assert again != prime


def test_bad_content_is_reported_once_naming_the_file_as_in_one_process(tmp_path: Path) -> None:
    content = _corpus(tmp_path, 60)
    (content / "articles" / "broken-tip.md").write_text(
        "Title: Broken tip\nDate: 2026-05-01\n\n/// tip | Never closed\nText.\n", "utf-8"
    )
    (content / "articles" / "broken-date.md").write_text(
        "Title: Broken date\nDate: 2026-13-45\n\nText.\n", "utf-8"
    )
    problems = {}
    for processes in (1, 2):
        with pytest.raises(BuildFailed) as failure:
            _build(tmp_path, content, f"out-{processes}", processes)
        problems[processes] = failure.value.problems
    assert problems[2] == problems[1]
    for name in ("broken-tip.md", "broken-date.md"):
        assert sum(name in problem for problem in problems[2]) >= 1, problems[2]
    assert len(problems[2]) == len(set(problems[2]))


def test_the_stories_worker_of_a_build_that_crashed_ends_with_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`invoke livereload` builds again in the same process: a build that crashed after its
    stories' worker started leaves no process behind once the next build starts."""
    from nextround import enrich
    from reader_stories import pelican_plugin

    monkeypatch.setattr(stories_ahead, "MIN_ARTICLES", 0)
    content = _corpus(tmp_path, 60)
    crashing = {"on": True}
    original = enrich.enrich_articles

    def enrich_or_crash(generator):  # type: ignore[no-untyped-def]
        if crashing["on"]:
            raise RuntimeError("a plugin crashed")
        return original(generator)

    monkeypatch.setattr(enrich, "enrich_articles", enrich_or_crash)
    with pytest.raises(BuildFailed, match="a plugin crashed"):
        _build(tmp_path, content, "crashed", 2)
    left = pelican_plugin._running.ahead
    assert left is not None
    processes = list(left._executor._processes.values())
    assert processes and all(process.is_alive() for process in processes)
    crashing["on"] = False
    _build(tmp_path, content, "again", 2)
    assert not any(process.is_alive() for process in processes)
    assert pelican_plugin._running.ahead is None


def test_the_workers_feeds_survive_a_build_that_empties_its_output_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """publishconf.py empties the output folder before reading (DELETE_OUTPUT_DIRECTORY); the
    worker writes each article's stories feed only after that, so every feed is there."""
    monkeypatch.setattr(stories_ahead, "MIN_ARTICLES", 0)
    content = _corpus(tmp_path, 60)
    stale = tmp_path / "emptied" / "left-over" / "stories.atom.xml"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an older build", "utf-8")
    site = _build(tmp_path, content, "emptied", 2, {"DELETE_OUTPUT_DIRECTORY": True})
    assert not stale.exists()
    pages = [page for page in site.glob("*/index.html") if "<!--stories:begin" in page.read_text()]
    assert len(pages) > 60
    assert all((page.parent / "stories.atom.xml").is_file() for page in pages)
