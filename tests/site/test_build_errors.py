"""A malformed article stops the build with a message naming the file and the problem."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sitetools.build import BuildFailed, build_site

ROOT = Path(__file__).resolve().parents[2]
GOOD = """Title: A good article
Date: 2026-05-01 09:00
Category: Job Search
Tags: applications
Slug: a-good-article

Some text that is perfectly fine.
"""


def build_with(tmp_path: Path, name: str, text: str) -> None:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "articles" / "good.md").write_text(GOOD, encoding="utf-8")
    (content / "articles" / name).write_text(text, encoding="utf-8")
    build_site(
        ROOT / "pelicanconf.py",
        tmp_path / "out",
        {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")},
        search_index=False,
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "broken-date.md",
            "Title: Broken date\nDate: 2026-13-45\nCategory: Job Search\n\nText.\n",
            "broken-date.md",
        ),
        (
            "no-title.md",
            "Date: 2026-05-02\nCategory: Job Search\n\nText without a title.\n",
            "could not find information about 'title'",
        ),
        (
            "no-date.md",
            "Title: No date\nCategory: Job Search\n\nText.\n",
            "no-date.md",
        ),
    ],
)
def test_malformed_article_fails_build_naming_file(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    with pytest.raises(BuildFailed) as failure:
        build_with(tmp_path, name, text)
    message = str(failure.value)
    assert name in message
    assert expected in message


def test_broken_date_names_the_date_problem(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed) as failure:
        build_with(tmp_path, "bad.md", "Title: Bad\nDate: not a date\n\nText.\n")
    assert "bad.md" in str(failure.value)
    assert "date" in str(failure.value).lower()


def test_good_content_builds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "good.md").write_text(GOOD, encoding="utf-8")
    report = build_site(
        ROOT / "pelicanconf.py",
        tmp_path / "out",
        {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")},
        search_index=False,
    )
    assert (report.output / "a-good-article" / "index.html").is_file()


def test_collector_settings_are_restored_after_a_build_that_fails_or_succeeds(
    tmp_path: Path,
) -> None:
    """The build runs with rarer garbage collections; the caller's settings come back."""
    before = gc.get_threshold()
    with pytest.raises(BuildFailed):
        build_with(tmp_path / "bad", "bad.md", "Title: Bad\nDate: not a date\n\nText.\n")
    assert gc.get_threshold() == before
    build_with(tmp_path / "good", "also-good.md", GOOD.replace("a-good-article", "another"))
    assert gc.get_threshold() == before
