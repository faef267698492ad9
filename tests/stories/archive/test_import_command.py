"""`reader-stories import` (and `invoke comments.import`) as an owner runs it: on the site's own
settings over a real build, a dry run first, then the import, the queue, and dropping what has
no article. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from importer_support import FIXTURES, all_stories, settings_over

from reader_stories.cli import main
from reader_stories.store import open_store

pytestmark = pytest.mark.slow
SECRET = "import-command-secret-0123456789-abcdef"


@pytest.fixture
def owner(tmp_path: Path, built_site: Path, db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Runs commands as the site owner would, on a settings file over the built site."""
    settings = settings_over(tmp_path, built_site)
    monkeypatch.setenv("COMMENTS_DATABASE_URL", db_url)
    monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET)

    def run(*argv: str) -> tuple[int, list[str], str]:
        out, err = io.StringIO(), io.StringIO()
        status = main(["--settings", str(settings), *argv], out=out, err=err)
        return status, out.getvalue().splitlines(), err.getvalue()

    return run


def disqus(*options: str) -> list[str]:
    return ["import", str(FIXTURES / "disqus-export.xml"), "--format", "disqus", *options]


def stored(db_url: str) -> int:
    with open_store(db_url) as store:
        return len(all_stories(store))


def test_a_dry_run_then_the_import(owner, db_url: str) -> None:  # type: ignore[no-untyped-def]
    options = ["--map", str(FIXTURES / "old-addresses.map"), "--author", "Robin Vale"]
    options += ["--author-email", "editor@oldblog.example"]

    dry_status, dry, _ = owner(*disqus(*options, "--dry-run"))
    assert stored(db_url) == 0
    status, real, _ = owner(*disqus(*options))

    assert (dry_status, status) == (0, 0)
    assert dry[0].startswith("Dry run, nothing written: the Disqus export disqus-export.xml")
    assert real[0].startswith("Imported: the Disqus export disqus-export.xml")
    assert dry[1:-1] == real[1:-2]  # the same report, per address and per comment
    assert dry[-1].startswith("9 would be imported, 7 would be shown, 7 need your attention:")
    assert real[-2].startswith("9 imported, 7 will be shown, 7 need your attention:")
    assert real[-1] == "Run `invoke build` to show them on the site (4 articles)."
    assert stored(db_url) == 9


def test_comments_kept_aside_are_in_the_queue_report_until_dropped(
    owner,  # type: ignore[no-untyped-def]
) -> None:
    owner(*disqus())

    _, pending, _ = owner("pending")
    dropped_status, dropped, _ = owner("drop-unmapped", "--source", "disqus")
    _, after, _ = owner("pending")

    assert pending[-1] == (
        "3 imported comments are kept aside without an article: import again with --map FILE "
        "to place them, or drop them with `invoke comments.drop-unmapped`."
    )
    assert (dropped_status, dropped) == (
        0,
        ["Dropped 3 imported comments that had no article here."],
    )
    assert not any("kept aside" in line for line in after)


def test_an_unusable_map_is_one_line_and_nothing_is_written(
    owner,  # type: ignore[no-untyped-def]
    db_url: str,
    tmp_path: Path,
) -> None:
    map_file = tmp_path / "old.map"
    map_file.write_text("/?p=1496 negotiating-an-offer\n", "utf-8")

    status, out, err = owner(*disqus("--map", str(map_file)))

    assert (status, out) == (1, [])
    assert err == (
        f"{map_file}, line 1: 'negotiating-an-offer' is no article of this site; map to an "
        "article's slug.\n"
    )
    assert stored(db_url) == 0


def test_without_a_built_site_the_import_asks_for_a_build(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_over(tmp_path, tmp_path / "never-built")
    monkeypatch.setenv("COMMENTS_DATABASE_URL", db_url)
    monkeypatch.setenv("COMMENTS_SECRET_KEY", SECRET)
    err = io.StringIO()

    status = main(["--settings", str(settings), *disqus()], out=io.StringIO(), err=err)

    assert status == 1
    assert err.getvalue() == (
        f"The built site ({tmp_path / 'never-built'}) has no article pages, so the import "
        "cannot tell which old addresses are articles here. Build the site first (invoke "
        "build), then import.\n"
    )


def test_the_import_options_are_refused_for_an_export(
    owner,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    status, _, err = owner("import", str(tmp_path / "export.jsonl"), "--dry-run")

    assert status == 1
    assert err == (
        "--dry-run, --map, --author and --author-email are for --format isso, disqus or "
        "pelican-comment-system; an export is restored as it is.\n"
    )
