"""Images in articles: the markup, the copies (sizes, formats, cache) and the author's errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from nextround.images import markup, variants
from nextround.images.variants import ImageProblem
from sitetools.build import BuildFailed, build_site

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SECRET = "image-test-secret-0123456789-abcdefghijkl"
ALT = "A chart of applications sent and answered"


def photo(path: Path, size: tuple[int, int], mode: str = "RGB") -> Path:
    """A real picture with detail in it (a gradient), so encoders have work to do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))
    image.save(path)
    assert image.size == (width, height)
    return path


def svg(path: Path, attributes: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}></svg>', "utf-8")
    return path


# ---- the copies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "widths"),
    [(2400, [480, 800, 1280]), (1280, [480, 800, 1280]), (1000, [480, 800, 1000]), (300, [300])],
)
def test_widths_never_upscale(original: int, widths: list[int]) -> None:
    assert variants.widths_for(original) == widths


def test_a_photo_gets_avif_webp_and_jpeg_at_each_width(tmp_path: Path) -> None:
    raster = variants.describe(photo(tmp_path / "p.jpg", (1600, 900)))
    assert isinstance(raster, variants.Raster)
    assert (raster.width, raster.height, raster.fallback) == (1600, 900, "jpeg")
    made = {(v.format, v.width): v.make(tmp_path / "cache") for v in raster.variants}
    assert sorted(made) == sorted(
        (f, w) for f in ("avif", "webp", "jpeg") for w in (480, 800, 1280)
    )
    for (format, width), file in made.items():
        with Image.open(file) as copy:
            assert copy.format == format.upper()
            assert copy.size == (width, round(900 * width / 1600))


def test_a_transparent_png_keeps_png_as_its_fallback(tmp_path: Path) -> None:
    raster = variants.describe(photo(tmp_path / "logo.png", (600, 300), "RGBA"))
    assert isinstance(raster, variants.Raster)
    assert raster.fallback == "png"
    copy = raster.of_format("png")[-1].make(tmp_path / "cache")
    with Image.open(copy) as image:
        assert image.mode == "RGBA"
        assert image.size == (600, 300)


def test_copies_are_named_by_the_original_so_a_change_gets_new_names(tmp_path: Path) -> None:
    original = photo(tmp_path / "p.jpg", (900, 600))
    before = {v.name for v in variants.describe(original).variants}
    assert before == {v.name for v in variants.describe(original).variants}
    photo(original, (900, 601))
    assert before.isdisjoint({v.name for v in variants.describe(original).variants})


@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ('width="640" height="340"', (640, 340)),
        ('viewBox="0 0 640 340"', (640, 340)),
        ('width="320px" viewBox="0 0 640 340"', (320, 170)),
        ('width="100%" viewBox="0,0,300,150"', (300, 150)),
    ],
)
def test_an_svg_declares_its_size(tmp_path: Path, attributes: str, size: tuple[int, int]) -> None:
    vector = variants.describe(svg(tmp_path / "d.svg", attributes))
    assert (vector.width, vector.height) == size


@pytest.mark.parametrize(
    ("name", "write", "problem"),
    [
        ("d.svg", lambda p: svg(p, ""), "declares no size: give its <svg> a viewBox"),
        ("d.svg", lambda p: p.write_text("<svg", "utf-8"), "is not a readable SVG file"),
        ("p.jpg", lambda p: p.write_bytes(b"not a jpeg"), "is not an image Pillow can read"),
        ("p.gif", lambda p: Image.new("P", (8, 8)).save(p), "use a JPEG, PNG, WebP or SVG"),
    ],
)
def test_unusable_originals_are_refused_in_words(tmp_path: Path, name, write, problem) -> None:
    file = tmp_path / name
    write(file)
    with pytest.raises(ImageProblem, match=problem):
        variants.describe(file)


def test_an_enormous_original_is_reported(tmp_path: Path) -> None:
    big = variants.describe(photo(tmp_path / "wide.png", (6400, 40)))
    small = variants.describe(photo(tmp_path / "small.png", (1600, 900)))
    assert "6400x40 original" in big.large
    assert small.large == ""


# ---- the markup -------------------------------------------------------------------------------


def test_missing_alt_text_is_refused_with_the_fix() -> None:
    with pytest.raises(ImageProblem, match=r'"images/x.jpg" has no alt text.*\]\(images/x.jpg\)'):
        markup.rewrite('<p><img alt="" src="images/x.jpg"></p>', lambda a, lazy: None)


def test_the_first_image_near_the_top_loads_at_once_and_the_rest_lazily() -> None:
    seen: list[bool] = []
    text = f'<p>Intro.</p><img alt="a" src="1"><p>{"x" * 700}</p><img alt="b" src="2">'
    markup.rewrite(text, lambda attrs, lazy: seen.append(lazy))
    assert seen == [False, True]
    seen.clear()
    markup.rewrite(f'<p>{"x" * 700}</p><img alt="a" src="1">', lambda a, lazy: seen.append(lazy))
    assert seen == [True]


def test_a_picture_offers_every_format_with_sizes_and_dimensions(tmp_path: Path) -> None:
    raster = variants.describe(photo(tmp_path / "p.jpg", (1600, 900)))
    html = markup.picture({"alt": 'A "chart"', "title": "Q1"}, raster, "/images/sized", True)
    tree = lxml_html.fragment_fromstring(html)
    assert tree.tag == "picture"
    sources = list(tree.iter("source"))
    assert [s.get("type") for s in sources] == ["image/avif", "image/webp"]
    assert all(s.get("sizes") == markup.SIZES for s in sources)
    img = next(tree.iter("img"))
    assert img.get("alt") == 'A "chart"'
    assert img.get("title") == "Q1"
    assert (img.get("width"), img.get("height")) == ("1280", "720")
    assert img.get("loading") == "lazy"
    assert img.get("src").endswith(".1280.jpg")
    assert [c.split()[1] for c in img.get("srcset").split(", ")] == ["480w", "800w", "1280w"]


@pytest.mark.parametrize(
    "src",
    [
        "images/p.jpg",
        "{static}/images/p.jpg",
        "{static}../images/p.jpg",
        "/blog/images/p.jpg",
        "https://careers.example/blog/images/p.jpg",
    ],
)
def test_every_way_of_writing_a_local_image_finds_the_file(tmp_path: Path, src: str) -> None:
    content = tmp_path / "content"
    photo(content / "images" / "p.jpg", (10, 10))
    found = markup.locate(
        src, content, content / "articles", "/blog", "https://careers.example/blog"
    )
    assert found.file == (content / "images" / "p.jpg").resolve()
    assert found.url_path == "images/p.jpg"


@pytest.mark.parametrize(
    ("src", "problem"),
    [
        ("https://cdn.example.org/p.jpg", "is on another site"),
        ("//cdn.example.org/p.jpg", "is on another site"),
        ("images/nope.jpg", "was not found: there is no file"),
        ("{static}/../../etc/hostname", "is outside the content folder|was not found"),
    ],
)
def test_images_that_cannot_be_served_from_here_are_refused(tmp_path: Path, src, problem) -> None:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    with pytest.raises(ImageProblem, match=problem):
        markup.locate(src, tmp_path / "content", tmp_path / "content" / "articles", "", "")


# ---- through a build --------------------------------------------------------------------------


def site(tmp_path: Path, body: str, extra: str = "") -> Path:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True, exist_ok=True)
    (content / "articles" / "with-images.md").write_text(
        "Title: With images\nSlug: with-images\nDate: 2026-06-01\nCategory: Resumes\n"
        f"{extra}\n{body}\n",
        "utf-8",
    )
    return content


def build(tmp_path: Path, content: Path, output: str = "out") -> Path:
    build_site(
        SETTINGS,
        tmp_path / output,
        {
            "PATH": str(content),
            "CACHE_PATH": str(tmp_path / "cache"),
            "COMMENTS": {
                "database_url": f"sqlite:///{tmp_path / 'stories.sqlite3'}",
                "secret_key": SECRET,
            },
        },
        search_index=False,
    )
    return tmp_path / output


def test_a_build_publishes_the_copies_and_reuses_them_from_the_cache(tmp_path: Path) -> None:
    content = site(
        tmp_path,
        f"Text.\n\n![{ALT}](images/photo.jpg)\n\n![A diagram]({{static}}/images/flow.svg)\n",
    )
    photo(content / "images" / "photo.jpg", (2000, 1000))
    svg(content / "images" / "flow.svg", 'viewBox="0 0 600 200"')
    first = build(tmp_path, content)
    page = (first / "with-images" / "index.html").read_text("utf-8")
    tree = lxml_html.fromstring(page)
    img = tree.find(".//picture//img")
    assert (img.get("alt"), img.get("width"), img.get("height")) == (ALT, "1280", "640")
    diagram = tree.find(".//img[@alt='A diagram']")
    assert diagram.get("src") == "/images/flow.svg"
    assert (diagram.get("width"), diagram.get("height")) == ("600", "200")
    assert (first / "images" / "flow.svg").is_file()
    sized = sorted(p.name for p in (first / "images" / "sized").iterdir())
    assert len(sized) == 9
    for name in sized:
        assert f"/images/sized/{name}" in page
    cached = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache" / "images").iterdir()}
    assert sorted(cached) == sized

    second = build(tmp_path, content, "out-again")
    again = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache" / "images").iterdir()}
    assert again == cached  # nothing encoded twice
    assert sorted(p.name for p in (second / "images" / "sized").iterdir()) == sized


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("![](images/photo.jpg)", 'the image "images/photo.jpg" has no alt text'),
        (f"![{ALT}](images/missing.jpg)", 'the image "images/missing.jpg" was not found'),
        (f"![{ALT}](https://cdn.example.org/x.jpg)", "is on another site"),
    ],
)
def test_an_image_problem_stops_the_build_naming_the_article(
    tmp_path: Path, body: str, problem: str
) -> None:
    content = site(tmp_path, body)
    photo(content / "images" / "photo.jpg", (100, 100))
    with pytest.raises(BuildFailed) as failure:
        build(tmp_path, content)
    assert "with-images.md" in str(failure.value)
    assert problem in str(failure.value)


def test_an_enormous_original_is_a_build_warning(tmp_path: Path) -> None:
    content = site(tmp_path, f"![{ALT}](images/huge.png)")
    photo(content / "images" / "huge.png", (6400, 60))
    report = build_site(
        SETTINGS,
        tmp_path / "out",
        {
            "PATH": str(content),
            "CACHE_PATH": str(tmp_path / "cache"),
            "COMMENTS": {
                "database_url": f"sqlite:///{tmp_path / 's.sqlite3'}",
                "secret_key": SECRET,
            },
        },
        search_index=False,
    )
    assert any("huge.png is a" in w and "6400x60 original" in w for w in report.warnings)


# ---- share cards ------------------------------------------------------------------------------


def og(page: Path) -> dict[str, str]:
    tree = lxml_html.fromstring(page.read_bytes())
    found = {m.get("property"): m.get("content") for m in tree.findall(".//meta[@property]")}
    found.update({m.get("name"): m.get("content") for m in tree.findall(".//meta[@name]")})
    return found


def card_file(output: Path, url: str) -> Path:
    return output / url.split("/", 3)[3]


def test_every_article_gets_a_card_redrawn_only_when_its_title_changes(tmp_path: Path) -> None:
    content = site(tmp_path, "Text.")
    output = build(tmp_path, content)
    tags = og(output / "with-images" / "index.html")
    assert tags["og:image"].startswith("http://127.0.0.1:8000/cards/")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:type"] == "image/jpeg"
    assert tags["og:image:alt"] == "With images: an article in Resumes on Next Round"
    assert tags["twitter:card"] == "summary_large_image"
    card = card_file(output, tags["og:image"])
    with Image.open(card) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 630))
    drawn = card.stat().st_mtime_ns

    again = build(tmp_path, content, "out-2")
    assert og(again / "with-images" / "index.html")["og:image"] == tags["og:image"]
    assert card_file(again, tags["og:image"]).stat().st_mtime_ns == drawn

    article = content / "articles" / "with-images.md"
    article.write_text(article.read_text("utf-8").replace("With images", "Retitled"), "utf-8")
    renamed = build(tmp_path, content, "out-3")
    new = og(renamed / "with-images" / "index.html")["og:image"]
    assert new != tags["og:image"]
    assert card_file(renamed, new).is_file()


def test_an_article_can_name_its_own_card(tmp_path: Path) -> None:
    content = site(tmp_path, "Text.", "Card: images/own-card.png\n")
    photo(content / "images" / "own-card.png", (1200, 628))
    output = build(tmp_path, content)
    tags = og(output / "with-images" / "index.html")
    assert tags["og:image"] == "http://127.0.0.1:8000/images/own-card.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "628")
    assert tags["og:image:type"] == "image/png"
    assert (output / "images" / "own-card.png").is_file()
    assert not (output / "cards").exists()


def test_a_card_that_is_missing_or_an_svg_stops_the_build(tmp_path: Path) -> None:
    content = site(tmp_path, "Text.", "Card: images/nope.png\n")
    with pytest.raises(
        BuildFailed, match=re.escape('with-images.md: Card: the image "images/nope.png"')
    ):
        build(tmp_path, content)
    article = content / "articles" / "with-images.md"
    article.write_text(article.read_text("utf-8").replace("nope.png", "d.svg"), "utf-8")
    svg(content / "images" / "d.svg", 'viewBox="0 0 10 10"')
    with pytest.raises(BuildFailed, match="is an SVG, which link previews do not show"):
        build(tmp_path, content, "out-svg")


def test_many_new_cards_are_drawn_by_a_worker_process(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for number in range(45):
        (content / "articles" / f"a{number}.md").write_text(
            f"Title: Article number {number}\nDate: 2026-06-01\nCategory: Interviews\n\nText.\n",
            "utf-8",
        )
    output = build(tmp_path, content)
    cards = sorted((output / "cards").iterdir())
    assert len(cards) == 45
    if (os.cpu_count() or 1) > 1:
        assert all(c.stat().st_nlink == 2 for c in cards)  # linked from the cache
    with Image.open(cards[0]) as image:
        assert image.size == (1200, 630)
