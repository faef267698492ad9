"""Every article and page plain Pelican accepts builds with this site's theme and plugins.

The corpus in odd_content/ is written the way authors really start files: drafts and hidden
articles with nothing but a title, no category or author, Markdown in the summary, accents in
titles and slugs, footnotes, dates with and without times, repeated tags, keys the theme does
not know. Each file is built twice, by plain Pelican (default theme, no plugins) and by this
site, and both must see the same articles, drafts, hidden articles and pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import SETTINGS, hermetic_comments
from lxml import html as lxml_html
from pelican import Pelican, signals
from pelican.settings import DEFAULT_CONFIG, configure_settings

from sitetools.build import BuildFailed, build_site

CORPUS = Path(__file__).parent / "odd_content"
KINDS = ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages")


@contextmanager
def counting() -> Iterator[dict[str, list[Any]]]:
    """The contents each generator ended with, by kind, for the build run inside the block."""
    seen: dict[str, list[Any]] = {}

    def articles(generator: Any) -> None:
        for kind in ("articles", "drafts", "hidden_articles"):
            seen[kind] = list(getattr(generator, kind))

    def pages(generator: Any) -> None:
        for kind in ("pages", "hidden_pages", "draft_pages"):
            seen[kind] = list(getattr(generator, kind))

    signals.article_generator_finalized.connect(articles)
    signals.page_generator_finalized.connect(pages)
    try:
        yield seen
    finally:
        signals.article_generator_finalized.disconnect(articles)
        signals.page_generator_finalized.disconnect(pages)


def plain_pelican(tmp_path: Path) -> dict[str, list[Any]]:
    settings = dict(DEFAULT_CONFIG)
    settings.update(
        PATH=str(CORPUS),
        ARTICLE_PATHS=["articles"],
        PAGE_PATHS=["pages"],
        OUTPUT_PATH=str(tmp_path / "plain"),
        CACHE_PATH=str(tmp_path / "plain-cache"),
        TIMEZONE="Europe/London",
        SITEURL="",
    )
    with counting() as seen:
        Pelican(configure_settings(settings)).run()
    return seen


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    tmp_path = tmp_path_factory.mktemp("odd")
    plain = plain_pelican(tmp_path)
    with counting() as ours:
        build_site(
            SETTINGS,
            tmp_path / "site",
            {
                "PATH": str(CORPUS),
                "CACHE_PATH": str(tmp_path / "cache"),
                "COMMENTS": hermetic_comments(tmp_path),
            },
            search_index=False,
        )
    return plain, ours, tmp_path / "site"


def sources(contents: list[Any]) -> list[str]:
    return sorted(Path(c.source_path).name for c in contents)


@pytest.mark.parametrize("kind", KINDS)
def test_same_contents_as_plain_pelican(builds: tuple[dict, dict, Path], kind: str) -> None:
    plain, ours, _ = builds
    assert sources(ours[kind]) == sources(plain[kind])


def test_the_corpus_covers_every_kind(builds: tuple[dict, dict, Path]) -> None:
    plain, _, _ = builds
    assert {kind: len(plain[kind]) for kind in KINDS} == {
        "articles": 6,
        "drafts": 1,
        "hidden_articles": 1,
        "pages": 1,
        "hidden_pages": 1,
        "draft_pages": 1,
    }


def test_every_content_gets_its_page(builds: tuple[dict, dict, Path]) -> None:
    _, ours, site = builds
    for kind in KINDS:
        for content in ours[kind]:
            page = site / content.save_as
            assert page.is_file(), f"{kind}: {content.source_path} has no {content.save_as}"
            tree = lxml_html.fromstring(page.read_bytes())
            assert tree.findtext(".//h1").strip() == content.title


def structured_data(page: Path) -> list[dict[str, Any]]:
    tree = lxml_html.fromstring(page.read_bytes())
    return [json.loads(s.text) for s in tree.findall(".//script[@type='application/ld+json']")]


def test_a_draft_without_category_falls_back_to_the_defaults(
    builds: tuple[dict, dict, Path],
) -> None:
    _, _, site = builds
    data = structured_data(site / "drafts" / "a-draft-started-by-hand" / "index.html")[0]
    assert data["headline"] == "A draft started by hand"
    assert data["articleSection"] == "Career Advice"  # the site's DEFAULT_CATEGORY
    assert data["author"][0]["name"] == "Next Round editors"  # the site's AUTHOR
    assert data["description"].startswith("Only a title, a date and a status")
    assert data["wordCount"] == 15


def test_a_hidden_article_is_built_but_never_listed(builds: tuple[dict, dict, Path]) -> None:
    _, _, site = builds
    assert (site / "a-hidden-note-for-one-reader" / "index.html").is_file()
    listed = (site / "index.html").read_text(encoding="utf-8")
    assert "A hidden note for one reader" not in listed
    assert "A draft started by hand" not in listed


def test_markdown_in_the_summary_is_plain_text_in_metadata(
    builds: tuple[dict, dict, Path],
) -> None:
    _, _, site = builds
    page = site / "summaries-that-carry-emphasis" / "index.html"
    tree = lxml_html.fromstring(page.read_bytes())
    description = tree.find(".//meta[@name='description']").get("content")
    assert description == "A summary with emphasis, code and a link."
    tags = [m.get("content") for m in tree.findall(".//meta[@property='article:tag']")]
    assert tags.count("resume") == 1  # Pelican keeps one tag per slug


def test_accents_survive_in_titles_categories_and_slugs(builds: tuple[dict, dict, Path]) -> None:
    _, ours, site = builds
    by_source = {Path(a.source_path).name: a for a in ours["articles"]}
    page = site / by_source["non-ascii.md"].save_as
    tree = lxml_html.fromstring(page.read_bytes())
    assert tree.findtext(".//h1") == "Négocier son salaire : ce qu\u2019il faut savoir"
    assert tree.find(".//meta[@property='article:section']").get("content") == "Négociation"
    assert (site / "entretien-d-été" / "index.html").is_file()


def test_footnotes_and_their_placeholder(builds: tuple[dict, dict, Path]) -> None:
    _, _, site = builds
    page = site / "footnotes-in-an-article" / "index.html"
    tree = lxml_html.fromstring(page.read_bytes())
    prose = tree.find(".//div[@class='prose']")
    notes = prose.find(".//div[@class='footnote']")
    assert notes is not None
    # The placeholder puts the notes where it stands, before the paragraph that follows it.
    paragraphs = [p.text_content() for p in prose.iter("p")]
    assert paragraphs.index("An estimate; studies disagree on the exact figure.\u00a0↩") < (
        paragraphs.index("A paragraph after the placeholder.")
    )
    data = structured_data(page)[0]
    assert data["datePublished"] == "2026-06-07T09:30:00+02:00"
    assert [a["name"] for a in data["author"]] == ["Ada Example", "Ben Example"]


def test_a_crash_in_a_template_names_the_file(tmp_path: Path) -> None:
    """A theme that cannot render one article stops the build naming the article's file."""
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "article.html").write_text(
        "{{ article.title }}{{ article.no_such_field|tojson }}", encoding="utf-8"
    )
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "one.md").write_text(
        "Title: One\nDate: 2026-06-01\n\nText.\n", encoding="utf-8"
    )
    with pytest.raises(BuildFailed) as failure:
        build_site(
            SETTINGS,
            tmp_path / "out",
            {
                "PATH": str(content),
                "THEME_TEMPLATES_OVERRIDES": [str(overrides)],
                "CACHE_PATH": str(tmp_path / "cache"),
                "COMMENTS": hermetic_comments(tmp_path),
            },
            search_index=False,
        )
    message = str(failure.value)
    assert "one.md" in message
    assert "article.html" in message


def test_a_story_on_an_accented_slug_is_approved_onto_its_page(tmp_path: Path) -> None:
    """The whole path for "entretien-d-été": the form's check, the store, the republisher."""
    from reader_stories.config import config_from_pelican
    from reader_stories.moderation import service
    from reader_stories.pages.republish import Republisher
    from reader_stories.store import open_store
    from reader_stories.validation import validate_submission

    comments = hermetic_comments(tmp_path)
    report = build_site(
        SETTINGS,
        tmp_path / "site",
        {"PATH": str(CORPUS), "CACHE_PATH": str(tmp_path / "cache"), "COMMENTS": comments},
        search_index=False,
    )
    form = {
        "article": "entretien-d-été",
        "name": "Inès",
        "story": "ACCENT-MARK: j'ai préparé trois exemples et tout s'est bien passé.",
        "consent": "yes",
    }
    with open_store(comments["database_url"]) as store:
        with store.writing() as tx:
            story = tx.add_submission(validate_submission(form, ip_hash="f" * 64))
        republisher = Republisher(config_from_pelican(report.settings), report.output)
        service.approve(store, republisher, [story.id])
    page = tmp_path / "site" / "entretien-d-été" / "index.html"
    assert "ACCENT-MARK" in page.read_text(encoding="utf-8")
