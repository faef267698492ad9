"""Tips through a real Pelican build: article.tips, the /tips/ page, the partials, broken tips.

Each build is a tiny site in a temporary folder, with the repository's settings, theme and plugin.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pelican import Pelican, signals
from pelican import log as pelican_log
from pelican.readers import MarkdownReader, RstReader
from pelican.settings import read_settings

from sitetools.build import BuildFailed, build_site
from tipboxes.extension import Tip
from tipboxes.pelican_glue import TipsMarkdownReader, TipsReaderMixin, add_reader

ROOT = Path(__file__).resolve().parents[2]
SITEURL = "http://127.0.0.1:8000"

REJECTION = """\
Title: Handling rejection
Date: 2026-05-01 09:00
Category: Job Search
Slug: handling-rejection
Summary: A summary is converted after the body, with the same Markdown instance.

Rejection stings.

/// tip | Dust Yourself Off
    id: dust-off
    action: Send out two applications for every rejection.

Take a day, then start again.
///

/// warning | Reply in anger
Wait until tomorrow.
///
"""

QUESTIONS = """\
Title: Questions to ask
Date: 2026-05-02 09:00
Category: Interviews
Slug: questions-to-ask

/// example | Ask about the first ninety days
"What would a great first three months look like?"
///
"""

PLAIN = """\
Title: No tips here
Date: 2026-05-03 09:00
Category: Interviews
Slug: no-tips-here

Just prose.
"""

BROKEN = """\
Title: A broken tip
Date: 2026-05-04 09:00
Category: Job Search
Slug: broken-tip

Intro.

/// tipp | Misspelt kind
Body.
///
"""
BROKEN_MESSAGE = 'line 8: unknown tip kind "tipp". Use one of: tip, warning, example, action.'


def write_content(folder: Path, articles: dict[str, str]) -> Path:
    content = folder / "content"
    (content / "articles").mkdir(parents=True)
    for name, text in articles.items():
        (content / "articles" / name).write_text(text, encoding="utf-8")
    return content


def settings_for(folder: Path, content: Path) -> dict[str, Any]:
    return read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(folder / "output"),
            "CACHE_PATH": str(folder / "cache"),
            "SITEURL": SITEURL,
        },
    )


class Built:
    def __init__(self, output: Path, generator: Any) -> None:
        self.output = output
        self.generator = generator
        self.articles = {article.slug: article for article in generator.articles}

    def page(self, path: str) -> Any:
        return lxml.html.fromstring((self.output / path).read_bytes())

    def render(self, template: str, **context: Any) -> str:
        context = {"SITEURL": SITEURL, "SITE_DESCRIPTION": "Career advice", **context}
        return self.generator.env.get_template(template).render(context)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("tips-site")
    content = write_content(
        folder,
        {"rejection.md": REJECTION, "questions.md": QUESTIONS, "plain.md": PLAIN},
    )
    settings = settings_for(folder, content)
    finished: list[Any] = []

    def keep(generator: Any) -> None:
        finished.append(generator)

    signals.article_generator_finalized.connect(keep)
    try:
        Pelican(settings).run()
    finally:
        signals.article_generator_finalized.disconnect(keep)
    return Built(folder / "output", finished[-1])


def test_articles_carry_their_tips(site: Built) -> None:
    assert site.articles["handling-rejection"].tips == [
        Tip(
            title="Dust Yourself Off",
            id="dust-off",
            kind="tip",
            action="Send out two applications for every rejection.",
            number=1,
            text="Take a day, then start again.",
        ),
        Tip(
            title="Reply in anger",
            id="tip-reply-in-anger",
            kind="warning",
            action=None,
            number=2,
            text="Wait until tomorrow.",
        ),
    ]
    assert [tip.id for tip in site.articles["questions-to-ask"].tips] == [
        "tip-ask-about-the-first-ninety-days"
    ]
    assert site.articles["no-tips-here"].tips == []


def test_article_page_shows_the_boxes(site: Built) -> None:
    page = site.page("handling-rejection/index.html")
    box = page.get_element_by_id("dust-off")
    assert box.tag == "aside"
    assert box.get("class") == "tip tip--tip"
    assert box.get("aria-labelledby") == "dust-off-title"
    heading = page.get_element_by_id("dust-off-title")
    assert " ".join(heading.text_content().split()) == "★ Tip 1 of 2: Dust Yourself Off #"
    warning = page.get_element_by_id("tip-reply-in-anger-title")
    assert "Don\u2019t (tip 2 of 2): Reply in anger" in warning.text_content()


def test_tips_page_lists_every_tip_by_category_with_links_to_the_boxes(site: Built) -> None:
    page = site.page("tips/index.html")
    main = page.get_element_by_id("main")
    assert [h2.text_content() for h2 in main.iter("h2")] == ["Interviews", "Job Search"]
    links = {
        a.get("href"): " ".join(a.text_content().split())
        for a in main.iter("a")
        if "#" in a.get("href", "")
    }
    assert links == {
        "/questions-to-ask/#tip-ask-about-the-first-ninety-days": (
            "Example: Ask about the first ninety days"
        ),
        "/handling-rejection/#dust-off": "Dust Yourself Off",
        "/handling-rejection/#tip-reply-in-anger": "Don\u2019t: Reply in anger",
    }
    for href in links:
        path, fragment = href.strip("/").split("#")
        target = site.page(f"{path.rstrip('/')}/index.html")
        assert target.get_element_by_id(fragment).tag == "aside"
    assert "No tips here" not in main.text_content()


def test_feed_keeps_the_boxes_readable(site: Built) -> None:
    feed = (site.output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert 'Tip&lt;/span&gt; &lt;span class="tip__number"&gt;1 of 2' in feed
    assert "Try this:&lt;/strong&gt; Send out two applications" in feed


def test_takeaways_partial_links_each_box(site: Built) -> None:
    html = site.render("partials/takeaways.html", article=site.articles["handling-rejection"])
    nav = lxml.html.fragment_fromstring(html)
    assert nav.tag == "nav"
    assert nav.get("aria-labelledby") == "takeaways-heading"
    assert nav.get_element_by_id("takeaways-heading").text == "Key takeaways"
    items = [(a.get("href"), a.text) for a in nav.iter("a")]
    assert items == [
        ("#dust-off", "Dust Yourself Off"),
        ("#tip-reply-in-anger", "Don\u2019t: Reply in anger"),
    ]
    assert nav.find("ol") is not None
    empty = site.render("partials/takeaways.html", article=site.articles["no-tips-here"])
    assert empty.strip() == ""


def test_jsonld_partial_is_a_howto_built_as_data(site: Built) -> None:
    html = site.render("partials/tips_jsonld.html", article=site.articles["handling-rejection"])
    script = lxml.html.fragment_fromstring(html)
    assert script.get("type") == "application/ld+json"
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "HowTo"
    assert data["name"] == "Handling rejection"
    assert data["url"] == f"{SITEURL}/handling-rejection/"
    assert data["step"] == [
        {
            "@type": "HowToStep",
            "position": 1,
            "name": "Dust Yourself Off",
            "text": (
                "Take a day, then start again. "
                "Try this: Send out two applications for every rejection."
            ),
            "url": f"{SITEURL}/handling-rejection/#dust-off",
        },
        {
            "@type": "HowToStep",
            "position": 2,
            "name": "Don\u2019t: Reply in anger",
            "text": "Wait until tomorrow.",
            "url": f"{SITEURL}/handling-rejection/#tip-reply-in-anger",
        },
    ]
    assert (
        site.render("partials/tips_jsonld.html", article=site.articles["no-tips-here"]).strip()
        == ""
    )


@pytest.mark.parametrize(
    ("slug", "expected"),
    [("handling-rejection", "2 tips"), ("questions-to-ask", "1 tip"), ("no-tips-here", "")],
)
def test_meta_line_counts_tips(site: Built, slug: str, expected: str) -> None:
    html = site.render("partials/article_meta.html", article=site.articles[slug])
    counts = lxml.html.fragment_fromstring(html).find_class("tip-count")
    assert [count.text_content() for count in counts] == ([expected] if expected else [])


@pytest.fixture
def fatal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pelican --fatal errors`, undone after the test so other builds keep Pelican's default."""
    monkeypatch.setattr(pelican_log.FatalLogger, "fatal_lvl", pelican_log.FatalLogger.fatal_lvl)
    pelican_log.init(fatal="errors", handler=None)


@pytest.mark.usefixtures("fatal_errors")
def test_broken_tip_fails_a_fatal_build_naming_file_line_and_problem(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = write_content(tmp_path, {"rejection.md": REJECTION, "broken.md": BROKEN})
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError):
        Pelican(settings_for(tmp_path, content)).run()
    messages = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert f"articles/broken.md: {BROKEN_MESSAGE}" in messages
    assert not (tmp_path / "output" / "broken-tip" / "index.html").exists()


def test_broken_tip_fails_the_project_build(tmp_path: Path) -> None:
    content = write_content(tmp_path, {"rejection.md": REJECTION, "broken.md": BROKEN})
    with pytest.raises(BuildFailed) as failure:
        build_site(
            ROOT / "pelicanconf.py",
            tmp_path / "output",
            {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")},
            search_index=False,
        )
    assert f"articles/broken.md: {BROKEN_MESSAGE}" in failure.value.problems


def test_reader_registration_composes_with_other_markdown_readers() -> None:
    class StoryReader(MarkdownReader):
        """Stands for another plugin's Markdown reader registered before this one."""

    class Registry:
        """The one attribute of pelican.readers.Readers that readers_init handlers use."""

        def __init__(self) -> None:
            self.reader_classes: dict[str, type] = {
                "md": StoryReader,
                "markdown": MarkdownReader,
                "rst": RstReader,
            }

    registry = Registry()
    add_reader(registry)
    add_reader(registry)  # a second readers_init must not wrap twice
    composed = registry.reader_classes["md"]
    assert issubclass(composed, TipsReaderMixin)
    assert issubclass(composed, StoryReader)
    assert composed.__mro__[1:3] == (TipsReaderMixin, StoryReader)
    assert registry.reader_classes["markdown"] is TipsMarkdownReader
    assert registry.reader_classes["rst"] is RstReader


def test_the_tips_page_template_is_rendered_in_batches_to_the_same_text() -> None:
    """StreamedTemplate gathers the pieces a batch at a time (the tips page of a large site held
    22 MiB as one list of pieces); the text, over several batches, and an error in the template
    are Jinja's own."""
    from jinja2 import DictLoader, Environment, StrictUndefined, UndefinedError

    from tipboxes.pelican_glue import StreamedTemplate

    env = Environment(
        loader=DictLoader(
            {
                "tips": "{% for tip in tips %}<li>{{ tip }} — ★</li>\n{% endfor %}",
                "broken": "<p>{{ missing.name }}</p>",
            }
        ),
        autoescape=True,
        undefined=StrictUndefined,
    )
    tips = [f"Tip <{number}> & more" for number in range(2_000)]
    template = env.get_template("tips")
    streamed = StreamedTemplate(template).render(tips=tips)
    assert streamed == template.render(tips=tips)
    assert sum(1 for _ in template.generate(tips=tips)) > 3 * StreamedTemplate.BATCH
    assert streamed.count("<li>") == 2_000 and "&lt;1999&gt; &amp; more" in streamed
    with pytest.raises(UndefinedError, match="'missing' is undefined"):
        StreamedTemplate(env.get_template("broken")).render()
