"""Rebuild on save: the edited article's page first (a quick pass), then a full build that leaves
every page byte for byte as a fresh build writes it."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from bench.stories_seed import seed_store
from nextround.refresh import NotRefreshable
from sitetools.build import BuildFailed, build_site
from sitetools.reload.rebuilder import Rebuilder
from sitetools.reload.watch import SiteWatcher

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SITEURL = "http://127.0.0.1:8000"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
HIDDEN = (
    "Title: Hidden one\nDate: 2026-03-02\nStatus: hidden\nSlug: hidden-one\n\nBy address only.\n"
)

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path: Path) -> dict:
    """The real content with 30 generated articles and their stories, in a folder of its own."""
    content = tmp_path / "content"
    specs = write_corpus(content, 30)
    database = f"sqlite:///{tmp_path / 'stories.sqlite3'}"
    seed_store(database, specs, 3, 1)
    shutil.copytree(ROOT / "content", content, dirs_exist_ok=True)
    (content / "articles" / "hidden.md").write_text(HIDDEN, "utf-8")
    overrides = {
        "PATH": str(content),
        "SITEURL": SITEURL,
        "CACHE_PATH": str(tmp_path / "cache"),
        "COMMENTS": {"database_url": database, "secret_key": SECRET, "policy_url": "privacy/"},
    }
    rebuilder = Rebuilder(SETTINGS, tmp_path / "out", search_index=False, overrides=overrides)
    rebuilder.full()
    return {"tmp": tmp_path, "content": content, "rebuilder": rebuilder, "overrides": overrides}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _fresh_build(site: dict, name: str) -> dict[str, bytes]:
    output = site["tmp"] / name
    build_site(SETTINGS, output, site["overrides"], search_index=False)
    return _files(output)


def _copy_of_output(site: dict) -> Path:
    """The built site as it is now, for a full build over it once the content has changed:
    files a change leaves behind (the card of an old title) are then left behind there too."""
    copy = site["tmp"] / "before"
    shutil.copytree(site["rebuilder"].output, copy)
    return copy


def _built_over(site: dict, copy: Path) -> dict[str, bytes]:
    build_site(SETTINGS, copy, site["overrides"], search_index=False)
    return _files(copy)


def _pages(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_saved_article_gets_its_page_alone_then_the_full_build_matches_a_fresh_one(site):
    rebuilder, content = site["rebuilder"], site["content"]
    source = content / "articles" / "handling-job-rejection.md"
    before = _pages(rebuilder.output)
    time.sleep(0.01)  # a rewritten file's time then differs from the build's
    _edit(source, "\n\n", "\n\nQUICK-MARK: one more paragraph, written while watching.\n\n")

    done = rebuilder.quick(source)

    assert done.page == rebuilder.output / "handling-job-rejection" / "index.html"
    assert "QUICK-MARK" in done.page.read_text("utf-8")
    after = _pages(rebuilder.output)
    rewritten = {name for name in after if after[name] != before.get(name)}
    assert rewritten == {"handling-job-rejection/index.html"}
    quick_bytes = done.page.read_bytes()

    rebuilder.full()
    assert done.page.read_bytes() == quick_bytes  # the quick page was already the final one
    assert _files(rebuilder.output) == _fresh_build(site, "fresh")


def test_a_new_title_is_on_the_page_at_once_and_everywhere_after_the_full_build(site):
    rebuilder, content = site["rebuilder"], site["content"]
    source = content / "articles" / "asking-for-a-raise.md"
    assert "\nSlug: asking-for-a-raise\n" in source.read_text("utf-8")  # the address stays
    copy = _copy_of_output(site)
    _edit(source, "Title: ", "Title: Renamed: ")

    done = rebuilder.quick(source)
    assert "<h1>Renamed: " in done.page.read_text("utf-8")
    index = (rebuilder.output / "index.html").read_text("utf-8")
    assert "Renamed: " not in index  # lists wait for the full build

    rebuilder.full()
    assert "Renamed: " in (rebuilder.output / "index.html").read_text("utf-8")
    assert _files(rebuilder.output) == _built_over(site, copy)


def test_a_hidden_article_is_refreshed_too(site):
    rebuilder = site["rebuilder"]
    source = site["content"] / "articles" / "hidden.md"
    _edit(source, "By address only.", "By address only, and now edited.")
    done = rebuilder.quick(source)
    assert done.page == rebuilder.output / "hidden-one" / "index.html"
    assert "now edited" in done.page.read_text("utf-8")


def test_edits_that_change_an_address_or_touch_no_article_need_the_full_build(site):
    rebuilder, content = site["rebuilder"], site["content"]
    source = content / "articles" / "asking-for-a-raise.md"
    _edit(source, "Slug: ", "Slug: moved-")
    with pytest.raises(NotRefreshable, match="save_as changed"):
        rebuilder.quick(source)
    page = next((content / "pages").glob("*.md"))
    with pytest.raises(NotRefreshable, match="not a listed or hidden article"):
        rebuilder.quick(page)
    _edit(source, "Slug: moved-", "Slug: ")
    (content / "articles" / "hidden.md").write_text(HIDDEN.replace("hidden", "draft"), "utf-8")
    with pytest.raises(NotRefreshable, match="status changed"):
        rebuilder.quick(content / "articles" / "hidden.md")


def test_an_article_with_a_problem_leaves_its_page_and_the_full_build_names_the_problem(site):
    rebuilder, content = site["rebuilder"], site["content"]
    source = content / "articles" / "asking-for-a-raise.md"
    page = rebuilder.output / "asking-for-a-raise" / "index.html"
    kept = page.read_bytes()
    _edit(source, "Date: ", "Date: someday ")

    with pytest.raises(BuildFailed, match="is not a valid date"):
        rebuilder.quick(source)
    assert page.read_bytes() == kept
    with pytest.raises(BuildFailed, match=r"asking-for-a-raise\.md.*is not a valid date"):
        rebuilder.full()
    with pytest.raises(NotRefreshable, match="did not succeed"):
        rebuilder.quick(source)  # no state from a failed build


def test_the_watcher_tells_pages_what_each_pass_rewrote(site):
    rebuilder, content = site["rebuilder"], site["content"]
    told: list[tuple[str, dict]] = []
    code: list[list[Path]] = []
    watcher = SiteWatcher(
        rebuilder,
        [content],
        say=lambda line: None,
        announce=lambda event, data: told.append((event, data)),
        on_code=code.append,
    )
    source = content / "articles" / "handling-job-rejection.md"
    _edit(source, "\n\n", "\n\nWATCH-MARK.\n\n")
    watcher.handle({source})
    page = "/handling-job-rejection/"
    assert told == [("quick", {"pages": [page]}), ("full", {"unchanged": [page]})]

    told.clear()
    watcher.handle({ROOT / "theme" / "templates" / "base.html"})
    assert told == [("full", {"unchanged": []})]

    told.clear()
    _edit(source, "Date: ", "Date: someday ")
    watcher.handle({source})
    assert [event for event, _ in told] == ["failed"]
    assert any("is not a valid date" in problem for problem in told[0][1]["problems"])

    told.clear()
    plugin = ROOT / "plugins" / "nextround" / "enrich.py"
    watcher.handle({plugin})
    assert code == [[plugin]] and told == []


def test_the_watcher_sees_a_save_and_rewrites_the_page_while_it_runs(site):
    rebuilder, content = site["rebuilder"], site["content"]
    told: list[tuple[str, dict]] = []
    arrived = threading.Event()

    def announce(event: str, data: dict) -> None:
        told.append((event, data))
        if event == "full":
            arrived.set()

    watcher = SiteWatcher(rebuilder, [content], say=lambda line: None, announce=announce)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # the watches are in place
        source = content / "articles" / "handling-job-rejection.md"
        # As editors save: a new file beside the old one, renamed over it.
        replacement = source.with_name(".handling-job-rejection.md.new")
        replacement.write_text(source.read_text("utf-8") + "\nWATCHED-MARK\n", "utf-8")
        os.replace(replacement, source)
        assert arrived.wait(60), told
    finally:
        stop.set()
        thread.join(10)
    assert told[0] == ("quick", {"pages": ["/handling-job-rejection/"]})
    page = rebuilder.output / "handling-job-rejection" / "index.html"
    assert "WATCHED-MARK" in page.read_text("utf-8")
