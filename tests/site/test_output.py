"""A full build of the real site, with exact assertions on what it wrote."""

from __future__ import annotations

import gzip
import json
import math
import re
from pathlib import Path

import feedparser
from lxml import etree, html

from sitetools.check import check_site

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = sorted((ROOT / "content" / "articles").glob("*.md"))
PAGES = sorted((ROOT / "content" / "pages").glob("*.md"))


def metadata(path: Path) -> dict[str, str]:
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return {
        key.strip().lower(): value.strip()
        for key, value in (line.split(":", 1) for line in head.splitlines())
    }


def published_articles() -> list[dict[str, str]]:
    return [m for m in map(metadata, ARTICLES) if m.get("status", "published") == "published"]


def test_every_article_and_page_has_its_own_page(built_site: Path) -> None:
    for meta in published_articles():
        page = built_site / meta["slug"] / "index.html"
        assert page.is_file(), meta["slug"]
        tree = html.fromstring(page.read_bytes())
        assert tree.xpath("string(//h1)").strip() == meta["title"]
    for meta in map(metadata, PAGES):
        assert (built_site / meta["slug"] / "index.html").is_file(), meta["slug"]


def test_list_pages_exist(built_site: Path) -> None:
    for name in (
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "archives/index.html",
        "categories/index.html",
        "tags/index.html",
        "authors/index.html",
        "search/index.html",
        "feeds/all.atom.xml",
    ):
        assert (built_site / name).is_file(), name


def test_site_feed_lists_newest_articles(built_site: Path) -> None:
    feed = feedparser.parse((built_site / "feeds" / "all.atom.xml").read_bytes())
    assert not feed.bozo
    newest = sorted(published_articles(), key=lambda m: m["date"], reverse=True)[:20]
    assert [entry.link for entry in feed.entries] == [
        f"http://127.0.0.1:8000/{m['slug']}/" for m in newest
    ]


def test_one_feed_per_category(built_site: Path) -> None:
    categories = {m["category"] for m in published_articles()}
    feeds = sorted((built_site / "feeds" / "category").glob("*.atom.xml"))
    assert len(feeds) == len(categories)
    for feed_file in feeds:
        feed = feedparser.parse(feed_file.read_bytes())
        assert not feed.bozo and feed.entries, feed_file.name


def test_sitemap_lists_every_article_and_page(built_site: Path) -> None:
    tree = etree.parse(str(built_site / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = set(tree.xpath("//s:loc/text()", namespaces=ns))
    for meta in published_articles() + list(map(metadata, PAGES)):
        assert f"http://127.0.0.1:8000/{meta['slug']}/" in locations
    assert "http://127.0.0.1:8000/" in locations


def test_robots_points_at_the_sitemap(built_site: Path) -> None:
    robots = (built_site / "robots.txt").read_text()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots


def test_no_broken_links_anchors_feeds_or_sitemap(built_site: Path) -> None:
    assert [str(p) for p in check_site(built_site, "http://127.0.0.1:8000")] == []


def test_article_head_has_canonical_open_graph_and_blogposting(built_site: Path) -> None:
    page = built_site / "handling-job-rejection" / "index.html"
    tree = html.fromstring(page.read_bytes())
    url = "http://127.0.0.1:8000/handling-job-rejection/"
    assert tree.xpath("//link[@rel='canonical']/@href") == [url]
    assert tree.xpath("//meta[@property='og:url']/@content") == [url]
    assert tree.xpath("//meta[@property='og:type']/@content") == ["article"]
    assert tree.xpath("//meta[@property='og:title']/@content") == ["Handling Job Rejection"]
    blocks = [json.loads(s) for s in tree.xpath("//script[@type='application/ld+json']/text()")]
    posting = next(b for b in blocks if b.get("@type") == "BlogPosting")
    assert posting["headline"] == "Handling Job Rejection"
    assert posting["mainEntityOfPage"] in (url, {"@type": "WebPage", "@id": url})
    assert posting["datePublished"].startswith("2026-")
    minutes = re.search(r"\b(\d+) min read\b", tree.xpath("string(//header//p[@class='meta'])"))
    assert posting["wordCount"] > 400 and minutes is not None
    assert int(minutes.group(1)) == math.ceil(posting["wordCount"] / 230)


def test_reading_time_and_neighbours_on_article(built_site: Path) -> None:
    text = (built_site / "handling-job-rejection" / "index.html").read_text()
    assert re.search(r"\b\d+ min read\b", text)
    assert "Related reading" in text or "Older" in text or "Newer" in text


def test_pages_make_no_third_party_requests(built_site: Path) -> None:
    """Only the site's own host: no CDN, font, analytics or embed anywhere in the output."""
    for page in built_site.rglob("*.html"):
        tree = html.fromstring(page.read_bytes())
        loaded = tree.xpath("//script/@src | //link[@rel!='canonical' and @rel!='alternate']/@href")
        loaded += tree.xpath("//img/@src | //iframe/@src | //source/@src | //video/@src")
        for url in loaded:
            assert not re.match(r"^(https?:)?//", url) or url.startswith(
                "http://127.0.0.1:8000/"
            ), (page, url)
    css = (built_site / "theme" / "css" / "site.css").read_text()
    assert "url(http" not in css and "@import" not in css


def test_no_email_address_in_any_output_file(built_site: Path) -> None:
    address = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")
    for path in built_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".txt", ".json", ".css", ".js"}:
            if "pagefind" in path.parts:
                continue
            assert not address.search(path.read_bytes()), path


def test_article_page_weight_budget(built_site: Path) -> None:
    """The seed article with everything it loads transfers within 25 KB in at most 4 requests.

    Transfer size is the gzip-compressed size, as `invoke serve` and static hosts send it.
    """
    page = built_site / "handling-job-rejection" / "index.html"
    tree = html.fromstring(page.read_bytes())
    assets = tree.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src")
    files = [page] + [
        built_site / a.removeprefix("http://127.0.0.1:8000").lstrip("/") for a in assets
    ]
    assert len(files) <= 4
    assert sum(len(gzip.compress(f.read_bytes(), 6)) for f in files) <= 25 * 1024


def test_seed_article_tips_takeaways_structured_data_and_counts(built_site: Path) -> None:
    tree = html.fromstring((built_site / "handling-job-rejection" / "index.html").read_bytes())
    titles = ["Dust Yourself Off", "Ask for Advice", "Focus on Improvement", "Apply! Apply! Apply!"]
    ids = tree.xpath("//aside[contains(@class, 'tip')]/@id")
    assert len(ids) == 4
    takeaways = tree.xpath("//nav[contains(@class, 'takeaways')]//a")
    assert [a.get("href") for a in takeaways] == [f"#{i}" for i in ids]
    blocks = [json.loads(s) for s in tree.xpath("//script[@type='application/ld+json']/text()")]
    howto = next(b for b in blocks if b.get("@type") == "HowTo")
    assert [step["@type"] for step in howto["step"]] == ["HowToStep"] * 4
    assert [step["url"].rsplit("#", 1)[1] for step in howto["step"]] == ids
    assert all(title in step["name"] for title, step in zip(titles, howto["step"], strict=True))
    assert "Send out two applications" in howto["step"][3]["text"]
    assert tree.xpath("string(//span[@class='tip-count'])") == "4 tips"
    home = (built_site / "index.html").read_text()
    assert "4 tips" in home or "2 tips" in home


def test_tips_page_lists_every_tip_grouped_by_category(built_site: Path) -> None:
    tree = html.fromstring((built_site / "tips" / "index.html").read_bytes())
    links = tree.xpath("//main//a[contains(@href, '#')]/@href")
    seed = [link for link in links if link.startswith("/handling-job-rejection/#")]
    assert len(seed) == 4
    articles = sorted((ROOT / "content" / "articles").glob("*.md"))
    expected = sum(
        p.read_text().count("\n/// ") + p.read_text().startswith("/// ") for p in articles
    )
    assert len(links) == expected
    headings = tree.xpath("//main//h2/text()")
    assert "Job Search" in " ".join(headings)


def test_theme_css_and_js_are_minified_in_the_output(built_site: Path) -> None:
    sources = {
        "css/site.css": ROOT / "theme" / "static" / "css" / "site.css",
        "js/search.js": ROOT / "theme" / "static" / "js" / "search.js",
        # The stories package's script, copied beside the theme's files by its plugin.
        "stories/stories.js": ROOT / "stories" / "reader_stories" / "static" / "stories.js",
    }
    for name, path in sources.items():
        source = path.read_text()
        built = (built_site / "theme" / name).read_text()
        assert len(built) < 0.9 * len(source), name
        assert "/*" not in built and "\n  " not in built, name
    css = (built_site / "theme" / "css" / "site.css").read_text()
    assert "@media (prefers-color-scheme:dark)" in css and "--accent:#0b5f73" in css
