"""Pelican's link scans are skipped only where its own pattern could not have matched."""

from __future__ import annotations

import inspect
import random
from datetime import datetime
from typing import Any

import pytest
from pelican.contents import Article, Content
from pelican.settings import DEFAULT_CONFIG

from nextround.links import (
    PELICAN_LINK_SYNTAX,
    may_hold_intrasite_links,
    skip_impossible_link_scans,
)

# Pelican's methods as it ships them, whether or not the plugin has wrapped them in this process.
ORIGINAL_UPDATE = inspect.unwrap(Content._update_content)
ORIGINAL_STATIC_LINKS = inspect.unwrap(Content.get_static_links)


class CountingArticle(Article):
    """An Article that counts how often Pelican's link pattern is asked for."""

    pattern_requests = 0

    def _get_intrasite_link_regex(self) -> Any:
        type(self).pattern_requests += 1
        return super()._get_intrasite_link_regex()


skip_impossible_link_scans(CountingArticle)


def _article(html: str, cls: type[Article] = Article, **settings: Any) -> Article:
    config = {**DEFAULT_CONFIG, "PATH": "/content", **settings}
    meta = {"title": "Links", "slug": "links", "date": datetime(2026, 5, 1)}
    context = {"static_content": {}, "generated_content": {}, "localsiteurl": ""}
    return cls(
        html, metadata=meta, settings=config, source_path="/content/links.md", context=context
    )


def test_default_syntax_is_pelicans() -> None:
    assert DEFAULT_CONFIG["INTRASITE_LINK_REGEX"] == PELICAN_LINK_SYNTAX


# (HTML, whether Pelican's pattern finds a link in it)
SAMPLES = [
    ("<p>Plain text with a {curly} word and a | bar.</p>", False),
    ('<a href="https://example.org/?q={x}">x</a>', False),
    ("<a href={filename}/bare.md>unquoted, which Pelican ignores</a>", False),
    ('<aside class="tip" id="tip-x" aria-labelledby="tip-x-title"><h2>T</h2></aside>', False),
    ('<p>He said "{this}" in prose.</p>', False),
    ("<img alt='|pipe|' src='x.png'>", False),
    ('<a href="{filename}/other.md">other</a>', True),
    ('<img src="{static}/images/photo.png">', True),
    ("<a href='|filename|other.md'>old syntax</a>", True),
    ('<a href = "{attach}file.pdf">spaced</a>', True),
]


@pytest.mark.parametrize(("html", "pelican_matches"), SAMPLES)
def test_the_quick_test_rules_out_only_what_the_pattern_would_not_match(
    html: str, pelican_matches: bool
) -> None:
    pattern = _article(html)._get_intrasite_link_regex()
    assert (pattern.search(html) is not None) == pelican_matches
    if pelican_matches:
        assert may_hold_intrasite_links(html)
    if not may_hold_intrasite_links(html):
        assert not pelican_matches


def _random_tag(rng: random.Random) -> str:
    attributes = "".join(
        rng.choice([" href", " src", " class", " data-x", ""])
        + rng.choice(["", " "])
        + rng.choice(["=", ""])
        + rng.choice(["", " "])
        + (quote := rng.choice(['"', "'", ""]))
        + rng.choice(["{", "|", "#", "x", ""])
        + rng.choice(["filename}a.md", "static|b.png", "c d", "}"])
        + rng.choice([quote, ""])
        for _ in range(rng.randint(1, 3))
    )
    return rng.choice(["<a", "<img", "<p", ""]) + attributes + rng.choice([">", "", "> {x} |"])


def test_the_test_is_sound_on_random_markup() -> None:
    """Thousands of random tags: whenever the pattern matches, the quick test said it might."""
    rng = random.Random(20261125)
    pattern = _article("")._get_intrasite_link_regex()
    matched = 0
    for _ in range(5000):
        html = "".join(_random_tag(rng) for _ in range(rng.randint(1, 3)))
        if pattern.search(html):
            matched += 1
            assert may_hold_intrasite_links(html), html
    assert 200 < matched < 4800  # both outcomes are common, so the assertion above was exercised


def test_pages_without_links_are_not_scanned_and_come_back_unchanged() -> None:
    html = '<aside class="tip" id="tip-a"><h2 id="tip-a-title">A</h2><p>Body.</p></aside>'
    article = _article(html, CountingArticle)
    CountingArticle.pattern_requests = 0
    assert article._update_content(html, "") == ORIGINAL_UPDATE(article, html, "") == html
    assert article.get_static_links() == ORIGINAL_STATIC_LINKS(article) == set()
    assert CountingArticle.pattern_requests == 2  # only the two calls to Pelican's own code


def test_pages_with_links_get_pelicans_own_result() -> None:
    html = '<p><img src="{static}/images/photo.png"> and <a href="{filename}/x.md">x</a></p>'
    article = _article(html, CountingArticle)
    assert article.get_static_links() == ORIGINAL_STATIC_LINKS(article) == {"images/photo.png"}
    assert article._update_content(html, "") == ORIGINAL_UPDATE(article, html, "")


def test_a_sites_own_link_syntax_is_always_scanned() -> None:
    html = "<p><a href=[[filename]]/x.md>x</a></p>"
    article = _article(html, CountingArticle, INTRASITE_LINK_REGEX=r"\[\[(?P<what>.*?)\]\]")
    CountingArticle.pattern_requests = 0
    article.get_static_links()
    article._update_content(html, "")
    assert CountingArticle.pattern_requests == 2


def test_wrapping_twice_adds_no_second_layer() -> None:
    before = CountingArticle.__dict__["_update_content"]
    skip_impossible_link_scans(CountingArticle)
    assert CountingArticle.__dict__["_update_content"] is before
