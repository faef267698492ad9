"""The checker finds each kind of breakage in a small hand-made site."""

from __future__ import annotations

from pathlib import Path

from sitetools.check import check_feeds, check_links, check_sitemap

SITEURL = "https://careers.example"
FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2026-01-01T00:00:00Z</updated>
<entry><title>a</title><id>a</id><updated>2026-01-01T00:00:00Z</updated><link href="https://careers.example/a/"/></entry>
</feed>"""


def write(site: Path, name: str, text: str) -> None:
    path = site / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_sound_links_pass(tmp_path: Path) -> None:
    write(
        tmp_path,
        "index.html",
        '<a href="/a/">a</a><a href="/a/#tip-1">t</a><a href="#top">x</a>'
        '<p id="top"></p><link rel="stylesheet" href="/theme/site.css">'
        '<a href="https://elsewhere.example/">out</a><a href="mailto:x">m</a>',
    )
    write(
        tmp_path,
        "a/index.html",
        '<h2 id="tip-1">Tip</h2><a href="https://careers.example/">home</a>',
    )
    write(tmp_path, "theme/site.css", "body{}")
    assert check_links(tmp_path, SITEURL) == []


def test_broken_links_and_anchors_are_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        "index.html",
        '<a href="/missing/">m</a><a href="/a/#nope">n</a>'
        '<a href="#gone">g</a><script src="/js/x.js"></script>'
        '<a href="https://careers.example/also-missing/">x</a>',
    )
    write(tmp_path, "a/index.html", "<p>a</p>")
    problems = [str(p) for p in check_links(tmp_path, SITEURL)]
    assert problems == [
        "index.html: link to /missing/ does not resolve",
        "index.html: link to /a/#nope: no element with that id",
        "index.html: anchor #gone is not on this page",
        "index.html: link to https://careers.example/also-missing/ does not resolve",
        "index.html: link to /js/x.js does not resolve",
    ]


def test_site_root_prefix_is_understood(tmp_path: Path) -> None:
    write(tmp_path, "index.html", '<a href="/blog/a/">a</a><a href="/blog/b/">b</a>')
    write(tmp_path, "a/index.html", "<p>a</p>")
    problems = [str(p) for p in check_links(tmp_path, SITEURL + "/blog", "/blog")]
    assert problems == ["index.html: link to /blog/b/ does not resolve"]


def test_feeds_must_parse_and_have_entries(tmp_path: Path) -> None:
    assert [str(p) for p in check_feeds(tmp_path)] == ["feeds: no Atom feed was built"]
    write(tmp_path, "feeds/all.atom.xml", FEED)
    assert check_feeds(tmp_path) == []
    write(tmp_path, "feeds/broken.atom.xml", FEED.replace("</feed>", ""))
    problems = check_feeds(tmp_path)
    assert len(problems) == 1 and problems[0].file == "feeds/broken.atom.xml"


def test_sitemap_locations_must_resolve(tmp_path: Path) -> None:
    write(tmp_path, "a/index.html", "<p>a</p>")
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    write(
        tmp_path,
        "sitemap.xml",
        f"<urlset {ns}><url><loc>{SITEURL}/a/</loc></url>"
        f"<url><loc>{SITEURL}/b/</loc></url><url><loc>http://other.example/a/</loc></url></urlset>",
    )
    assert [str(p) for p in check_sitemap(tmp_path, SITEURL)] == [
        f"sitemap.xml: {SITEURL}/b/ does not resolve",
        f"sitemap.xml: http://other.example/a/ is not an absolute URL of {SITEURL}",
    ]
    write(tmp_path, "sitemap.xml", "<urlset")
    assert "not well-formed" in str(check_sitemap(tmp_path, SITEURL)[0])


def test_every_width_of_a_picture_and_the_share_card_must_resolve(tmp_path: Path) -> None:
    write(
        tmp_path,
        "index.html",
        '<head><meta property="og:image" content="https://careers.example/cards/gone.jpg">'
        '</head><picture><source type="image/avif" srcset="/i/a.480.avif 480w, /i/a.800.avif '
        '800w"><img src="/i/a.800.jpg" srcset="/i/a.480.jpg 480w, /i/a.800.jpg 800w" alt="a">'
        "</picture>",
    )
    for name in ("i/a.480.avif", "i/a.800.jpg", "i/a.480.jpg"):
        write(tmp_path, name, "x")
    problems = [str(p) for p in check_links(tmp_path, SITEURL)]
    assert problems == [
        "index.html: link to /i/a.800.avif does not resolve",
        "index.html: link to https://careers.example/cards/gone.jpg does not resolve",
    ]
