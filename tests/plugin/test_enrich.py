"""URLs are computed once after reading, with exactly the value Pelican would give."""

from __future__ import annotations

from datetime import datetime

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from nextround.enrich import freeze_urls


def _article(slug: str, **metadata: object) -> Article:
    settings = dict(DEFAULT_CONFIG)
    settings.update(ARTICLE_URL="{slug}/", ARTICLE_SAVE_AS="{slug}/index.html", PATH="/content")
    meta = {"title": slug.title(), "slug": slug, "date": datetime(2026, 5, 1), **metadata}
    return Article(
        "<p>Body.</p>", metadata=meta, settings=settings, source_path=f"/content/{slug}.md"
    )


def test_frozen_url_is_pelicans_and_no_longer_recomputed() -> None:
    article = _article("handling-rejection")
    expected = article.url
    freeze_urls([article])
    assert article.url == expected == "handling-rejection/"
    article.settings = {**article.settings, "ARTICLE_URL": "changed/{slug}.html"}
    assert article.url == expected  # read from the frozen value, not formatted again


def test_an_authors_own_url_metadata_is_kept() -> None:
    article = _article("moved", url="elsewhere/moved.html")
    freeze_urls([article])
    assert article.url == "elsewhere/moved.html"
