"""Heading ids (nextround.headings) are the ids Python-Markdown's toc gives, for every kind of
heading text; and one reused Markdown instance reads many files without leaking state."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from pelican.settings import DEFAULT_CONFIG

from tipboxes.pelican_glue import TipsMarkdownReader

BASE = ["markdown.extensions.extra", "tipboxes.extension"]

HEADING_CASES = [
    "## Plain words",
    "## Plain words\n\n## Plain words\n\n## Plain words",  # repeats get _1, _2
    "## Ask *why* they said `no`",
    "## Salary &amp; benefits & perks",
    "## Fish &mdash; and chips",
    "## Escaped \\*stars\\* and \\_underscores\\_",
    "## A <em>raw</em> tag",
    "## Rejected again[^1]\n\n[^1]: A footnote.",
    "## Has an id {#chosen}\n\n## Chosen",
    "## Déjà vu, naïve café",
    "## a < b > c",
    "Setext heading\n==============",
    "## [A link](https://example.org/) in a heading",
    "/// tip | Same as a heading\nBody.\n///\n\n## Same as a heading",
    "## 2026: the year of 10\u00d7 offers!",
    "#### Deep heading\n\n###### Deepest heading",
]


def _html(extensions: list[str], text: str) -> str:
    return markdown.markdown(text, extensions=extensions, output_format="html5")


@pytest.mark.parametrize("text", HEADING_CASES)
def test_ids_match_the_toc_extension(text: str) -> None:
    ours = _html([*BASE, "nextround.headings"], text)
    toc = _html([*BASE, "markdown.extensions.toc"], text)
    assert ours == toc.replace(' data-toc-label=""', "")
    assert 'id="' in ours


def test_every_heading_gets_an_id_and_existing_ids_stay() -> None:
    html = _html([*BASE, "nextround.headings"], "## One\n\n## Two {#kept}\n\n### One")
    assert '<h2 id="one">One</h2>' in html
    assert '<h2 id="kept">Two</h2>' in html
    assert '<h3 id="one_1">One</h3>' in html


def _reader(tmp_path: Path) -> TipsMarkdownReader:
    settings = dict(DEFAULT_CONFIG)
    settings["PATH"] = str(tmp_path)
    settings["MARKDOWN"] = {
        "extension_configs": {
            "markdown.extensions.extra": {},
            "nextround.headings": {},
            "tipboxes.extension": {},
        },
        "output_format": "html5",
    }
    return TipsMarkdownReader(settings)


def test_one_markdown_instance_reads_many_files_without_leaking_state(tmp_path: Path) -> None:
    first = tmp_path / "first.md"
    first.write_text(
        "Title: First\nSummary: The *first* one.\nTags: a, b\n\n## Intro\n\nText[^1].\n\n"
        "[^1]: First note.\n\n/// tip | Only in the first\nBody.\n///\n",
        "utf-8",
    )
    second = tmp_path / "second.md"
    second.write_text("Title: Second\n\n## Intro\n\nNo notes, no tips.\n", "utf-8")
    reader = _reader(tmp_path)

    content1, meta1 = reader.read(str(first))
    md = reader._markdown
    content2, meta2 = reader.read(str(second))
    again, meta_again = reader.read(str(first))

    assert reader._markdown is md  # reused, not rebuilt
    assert meta1["summary"] == "<p>The <em>first</em> one.</p>"
    assert [tip.title for tip in meta1["tips"]] == ["Only in the first"]
    assert "First note" in content1 and '<h2 id="intro">' in content1
    # Nothing of the first file reaches the second: metadata, footnotes, tips, used ids.
    assert meta2["title"] == "Second" and "summary" not in meta2 and "tags" not in meta2
    assert meta2["tips"] == []
    assert "footnote" not in content2 and '<h2 id="intro">' in content2
    # Metadata is still read after Summary's conversion took the meta preprocessor out.
    assert again == content1
    assert meta_again["title"] == "First" and meta_again["summary"] == meta1["summary"]
