"""From an old comment address to an article here: the usual forms by themselves, the rest
from the owner's map file, and the built site as the list of what is an article."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader_stories.config import Site
from reader_stories.importers.site_articles import NoBuiltSite, SiteArticles, built_site_articles
from reader_stories.importers.url_map import MapError, Place, UrlMap, read_map
from reader_stories.importers.url_map import place as place_of

SITE = SiteArticles.of(
    ["running-a-focused-job-search", "asking-for-a-raise", "negotiating-a-job-offer"],
    ["about", "privacy"],
)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/asking-for-a-raise/", Place("asking-for-a-raise")),
        ("/Running-A-Focused-Job-Search/", Place("running-a-focused-job-search")),
        ("https://old.example/asking-for-a-raise", Place("asking-for-a-raise")),
        ("http://localhost:4000/asking-for-a-raise.html", Place("asking-for-a-raise")),
        ("/asking-for-a-raise/index.html", Place("asking-for-a-raise")),
        ("/2021/05/17/asking-for-a-raise/", Place("asking-for-a-raise")),
        ("//old.example/blog/2024/05/asking-for-a-raise.htm#c3", Place("asking-for-a-raise")),
        ("/asking-for-a-raise/?utm_source=feed", Place("asking-for-a-raise")),
        ("asking-for-a-raise", Place("asking-for-a-raise")),
        ("/asking%2Dfor%2Da%2Draise/", Place("asking-for-a-raise")),
        ("/privacy/index.html", Place("privacy", page=True)),
        ("/blog/?p=123", Place(None, wordpress=True)),
        ("https://old.example/?page_id=7", Place(None, wordpress=True)),
        ("/a-post-we-never-had/", Place(None)),
        ("https://old.example/", Place(None)),
        ("", Place(None)),
    ],
)
def test_the_usual_forms_of_an_address_map_by_themselves(address: str, expected: Place) -> None:
    assert place_of(address, SITE, UrlMap()) == expected


def test_a_map_file_places_the_rest(tmp_path: Path) -> None:
    map_file = tmp_path / "old.map"
    map_file.write_text(
        "# old address -> slug\n"
        "\n"
        "https://old.example/blog/?p=123 -> asking-for-a-raise\n"
        "?p=77 negotiating-a-job-offer\n"
        "/2019/*/focus-* Running-A-Focused-Job-Search\n"
        "/asking-for-a-raise/ negotiating-a-job-offer\n",
        "utf-8",
    )

    url_map = read_map(map_file, SITE)

    def where(address: str) -> str | None:
        return place_of(address, SITE, url_map).slug

    assert where("http://www.old.example/blog/?p=123") == "asking-for-a-raise"
    assert where("/blog/index.html?p=123") == "asking-for-a-raise"
    assert where("/?p=123") is None  # another path: the full address was mapped
    assert where("/anything/?p=77") == "negotiating-a-job-offer"
    assert where("/2019/03/Focus-On-Fewer.html") == "running-a-focused-job-search"
    assert where("/2020/03/focus-on-fewer/") is None
    # the map wins over the automatic mapping
    assert where("/asking-for-a-raise") == "negotiating-a-job-offer"
    assert place_of("/?p=77", SITE, url_map) == Place("negotiating-a-job-offer", mapped=True)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "/old-post/",
            "line 2: write one old address and one slug, e.g. '/?p=123 asking-for-a-raise', "
            "not '/old-post/'.",
        ),
        (
            "/old-post/ a-raise",
            "line 2: 'a-raise' is no article of this site; map to an article's slug.",
        ),
        (
            "/old-about/ about",
            "line 2: 'about' is a page, not an article; map to an article's slug.",
        ),
    ],
)
def test_a_map_line_that_cannot_be_used_is_named(line: str, message: str, tmp_path: Path) -> None:
    map_file = tmp_path / "old.map"
    map_file.write_text(f"/fine/ asking-for-a-raise\n{line}\n", "utf-8")

    with pytest.raises(MapError) as refused:
        read_map(map_file, SITE)

    assert str(refused.value) == f"{map_file}, {message}"


def test_a_missing_map_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MapError, match=r"old\.map: no such map file\.$"):
        read_map(tmp_path / "old.map", SITE)


def _site(output: Path) -> Site:
    return Site(
        siteurl="http://127.0.0.1:8000",
        site_root="",
        sitename="Next Round",
        intake_url="",
        output=output,
        article_save_as="{slug}/index.html",
        theme=None,
        page_save_as="{slug}/index.html",
    )


@pytest.mark.slow
def test_the_articles_are_the_built_sites(built_site: Path) -> None:
    """Every article of content/articles is an article (its page has a stories section), the
    two pages are pages, and nothing else (tags, categories, archives) counts as either."""
    content = Path(__file__).resolve().parents[3] / "content"
    slugs = {
        line.split(":", 1)[1].strip()
        for page in (content / "articles").glob("*.md")
        for line in page.read_text("utf-8").splitlines()
        if line.startswith("Slug:")
    }

    found = built_site_articles(_site(built_site))

    assert found.articles == slugs and len(slugs) == 10
    assert {"about", "privacy"} <= found.pages
    assert not found.pages & found.articles
    assert found.article("Asking-For-A-Raise") == "asking-for-a-raise"


def test_without_a_built_site_the_import_says_to_build_first(tmp_path: Path) -> None:
    with pytest.raises(NoBuiltSite) as refused:
        built_site_articles(_site(tmp_path / "output"))

    assert str(refused.value) == (
        f"The built site ({tmp_path / 'output'}) has no article pages, so the import cannot "
        "tell which old addresses are articles here. Build the site first (invoke build), "
        "then import."
    )
