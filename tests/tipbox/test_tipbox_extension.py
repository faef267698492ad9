"""The tip box Markdown extension: golden HTML, author-facing errors, and per-document data.

Golden files live in tests/tipbox/golden: NAME.md is the input, NAME.html the exact output.
To regenerate them after an intended change, run

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/tipbox/test_tipbox_extension.py

then read every changed NAME.html before committing it: a golden is only as good as that review.
"""

from __future__ import annotations

import os
from pathlib import Path

import markdown
import pytest
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

from tipboxes.extension import Tip, TipBoxExtension, TipSyntaxError, makeExtension

GOLDEN = Path(__file__).parent / "golden"
# The site's extensions minus codehilite, whose markup belongs to Pygments, not to tip boxes.
EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.smarty", "markdown.extensions.toc"]


def new_markdown(**config: object) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[*EXTENSIONS, "tipboxes.extension"],
        extension_configs={
            "markdown.extensions.toc": {"permalink": False},
            "tipboxes.extension": config,
        },
        output_format="html5",
    )


def render(text: str, **config: object) -> str:
    return new_markdown(**config).convert(text)


GOLDEN_CASES = sorted(GOLDEN.glob("*.md"))


def test_golden_directory_has_every_case() -> None:
    names = {path.stem for path in GOLDEN_CASES}
    assert names >= {
        "kinds",
        "options",
        "rich-body",
        "code-left-alone",
        "adjacent",
        "no-tips",
        "inline-titles",
        "asides-around",
    }
    for source in GOLDEN_CASES:
        assert source.with_suffix(".html").is_file() or os.environ.get("UPDATE_GOLDEN")


@pytest.mark.parametrize("source", GOLDEN_CASES, ids=lambda path: path.stem)
def test_golden(source: Path) -> None:
    html = render(source.read_text(encoding="utf-8")) + "\n"
    expected_file = source.with_suffix(".html")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(html, encoding="utf-8")
    assert html == expected_file.read_text(encoding="utf-8")


ERRORS = [
    pytest.param(
        "Intro.\n\n/// tip\nBody.\n///\n",
        'line 3: this tip has no title. Write it after a bar: "/// tip | Title".',
        id="no-title",
    ),
    pytest.param(
        "/// warning |  \nBody.\n///\n",
        'line 1: this tip has no title. Write it after a bar: "/// warning | Title".',
        id="empty-title",
    ),
    pytest.param(
        "Intro.\n\n/// tipp | X\nBody.\n///\n",
        'line 3: unknown tip kind "tipp". Use one of: tip, warning, example, action.',
        id="unknown-kind",
    ),
    pytest.param(
        "/// tip | X\n    colour: red\nBody.\n///\n",
        'line 2: unknown option "colour" in the tip at line 1. Use one of: id, action.',
        id="unknown-option",
    ),
    pytest.param(
        "/// tip | X\n    just some words\nBody.\n///\n",
        "line 2: cannot read this option of the tip at line 1. "
        'Write each option as an indented "key: value" line.',
        id="unreadable-option",
    ),
    pytest.param(
        "/// tip | X\n    id: a\n    id: b\nBody.\n///\n",
        'line 3: the option "id" is given twice in the tip at line 1. Keep one.',
        id="repeated-option",
    ),
    pytest.param(
        "/// tip | X\n    action:\nBody.\n///\n",
        'line 2: the option "action" in the tip at line 1 has no value.',
        id="empty-option",
    ),
    pytest.param(
        "/// tip | X\n    id: 2 fast\nBody.\n///\n",
        'line 2: the id "2 fast" cannot be used. An id starts with a letter and has only '
        "letters, digits, hyphens and underscores.",
        id="unusable-id",
    ),
    pytest.param(
        "Intro.\n\n/// tip | Never closed\nBody.\n\nMore body.\n",
        'line 3: the tip "Never closed" is never closed. End it with a line containing only "///".',
        id="never-closed",
    ),
    pytest.param(
        "/// tip | Same\nA.\n///\n\n/// example | Same\nB.\n///\n",
        'line 5: the id "tip-same" is already used by the tip at line 1. '
        'Give this tip a different title, or an "id:" option.',
        id="same-title-same-id",
    ),
    pytest.param(
        "/// tip | One\n    id: mine\nA.\n///\n\n/// tip | Two\n    id: mine\nB.\n///\n",
        'line 7: the id "mine" is already used by the tip at line 1. '
        'Give this tip a different "id:" option.',
        id="same-explicit-id",
    ),
    pytest.param(
        "/// tip | Empty\n    action: Do it.\n\n///\n",
        'line 1: the tip "Empty" has no body. '
        'Write at least one sentence between its header and the closing "///".',
        id="empty-body",
    ),
    pytest.param(
        "Text.\n\n///\n",
        'line 3: this "///" closes nothing. '
        'Remove it, or open a tip above it with "/// tip | Title".',
        id="stray-closer",
    ),
    pytest.param(
        "/// tip | X\nBody.\n////\n",
        'line 3: "////" does not match the "///" that opened the tip at line 1. '
        'Close it with "///".',
        id="mismatched-closer",
    ),
    pytest.param(
        "/// | X\nBody.\n///\n",
        'line 1: cannot read this tip header. Write it as "/// tip | Title".',
        id="unreadable-header",
    ),
    pytest.param(
        "/// tip | A\nBody.\n/// tip | B\nMore.\n///\n///\n",
        "line 3: a tip cannot start inside the tip opened at line 1. "
        'Close that one with "///" first.',
        id="tip-in-tip",
    ),
    pytest.param(
        "- An item\n\n    /// tip | X\n    Body.\n    ///\n",
        "line 3: this tip is indented or inside a list or quote, so it would not become a tip box. "
        'Start "/// tip | Title" at the left margin.',
        id="in-list",
    ),
    pytest.param(
        "> /// warning | X\n> Body.\n> ///\n",
        "line 1: this tip is indented or inside a list or quote, so it would not become a tip box. "
        'Start "/// warning | Title" at the left margin.',
        id="in-quote",
    ),
    pytest.param(
        "<div>\n/// tip | Hidden\nBody.\n///\n</div>\n",
        'line 2: the tip "Hidden" was not shown, probably because it sits inside an HTML block. '
        "Move it out of the HTML.",
        id="in-raw-html",
    ),
    pytest.param(
        "/// tip | ???\nBody.\n///\n",
        'line 1: the title "???" has no letters or digits to make an id from. '
        'Add an option line "    id: your-id" under the header.',
        id="title-without-letters",
    ),
    pytest.param(
        "Title: Pelican metadata counts\nDate: 2026-01-01\n\n/// tipp | X\nBody.\n///\n",
        'line 4: unknown tip kind "tipp". Use one of: tip, warning, example, action.',
        id="line-counts-metadata",
    ),
]


@pytest.mark.parametrize(("source", "message"), ERRORS)
def test_bad_input_names_line_and_problem(source: str, message: str) -> None:
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, "markdown.extensions.meta", "tipboxes.extension"]
    )
    with pytest.raises(TipSyntaxError) as error:
        md.convert(source)
    assert str(error.value) == message
    assert isinstance(error.value, ValueError)


def test_error_carries_line_and_problem_separately() -> None:
    with pytest.raises(TipSyntaxError) as error:
        render("\n\n/// tipp | X\nBody.\n///\n")
    assert error.value.line == 3
    assert error.value.problem.startswith('unknown tip kind "tipp"')


DOCUMENT = """\
/// tip | Dust Yourself Off
    id: dust-off
    action: Send out two applications for every rejection.

It's *normal* to feel flat. Give it a day, then [start again](https://example.org).

- one list item
///

/// warning | Reply in anger
Wait until tomorrow.
///
"""


def test_collects_plain_text_data_per_tip() -> None:
    md = new_markdown()
    md.convert(DOCUMENT)
    assert md.tips == [
        Tip(
            title="Dust Yourself Off",
            id="dust-off",
            kind="tip",
            action="Send out two applications for every rejection.",
            number=1,
            text="It\u2019s normal to feel flat. Give it a day, then start again. one list item",
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
    assert [tip.headline for tip in md.tips] == ["Dust Yourself Off", "Don\u2019t: Reply in anger"]


def test_reset_clears_tips_between_documents() -> None:
    md = new_markdown()
    md.convert(DOCUMENT)
    assert len(md.tips) == 2
    md.reset()
    assert md.tips == []
    html = md.convert("/// action | Only one\nBody.\n///\n")
    assert [(tip.id, tip.number) for tip in md.tips] == [("tip-only-one", 1)]
    assert "1 of 1" in html
    md.reset()
    md.convert("No tips here.\n")
    assert md.tips == []


def test_a_document_never_sees_the_previous_ones_tips_even_without_reset() -> None:
    md = new_markdown()
    md.convert(DOCUMENT)
    md.convert("/// tip | Dust Yourself Off\n    id: dust-off\nAgain, no clash.\n///\n")
    assert [tip.id for tip in md.tips] == ["dust-off"]


def test_one_extension_instance_shared_by_two_markdown_instances_keeps_no_state() -> None:
    shared = TipBoxExtension()
    first = markdown.Markdown(extensions=[shared])
    second = markdown.Markdown(extensions=[shared])
    first.convert("/// tip | First\nA.\n///\n")
    second.convert("/// tip | Second\nB.\n///\n\n/// tip | Third\nC.\n///\n")
    assert [tip.title for tip in first.tips] == ["First"]
    assert [tip.title for tip in second.tips] == ["Second", "Third"]
    first.reset()
    assert first.tips == []
    assert len(second.tips) == 2
    assert not [name for name in vars(shared) if "tip" in name.lower()]


def test_config_sets_heading_level_and_id_prefix() -> None:
    html = render("/// tip | Ask early\nBody.\n///\n", heading_level=3, id_prefix="")
    assert '<aside aria-labelledby="ask-early-title" class="tip tip--tip" id="ask-early">' in html
    assert '<h3 class="tip__heading" id="ask-early-title">' in html


def test_config_rejects_an_impossible_heading_level() -> None:
    with pytest.raises(ValueError, match="heading_level must be 1 to 6"):
        markdown.Markdown(extensions=[makeExtension(heading_level=7)])


def test_loads_by_name_with_extension_configs() -> None:
    md = markdown.Markdown(
        extensions=["tipboxes.extension"],
        extension_configs={"tipboxes.extension": {"heading_level": 4}},
    )
    assert '<h4 class="tip__heading"' in md.convert("/// example | By name\nBody.\n///\n")


def test_attribute_list_at_the_end_of_a_title_stays_text() -> None:
    """attr_list would give a heading ending in "{: #x}" that id, unlabelling the box."""
    html = render("/// tip | Plan B {: #elsewhere .loud}\nBody.\n///\n")
    assert '<h2 class="tip__heading" id="tip-plan-b-elsewhere-loud-title">' in html
    assert ": Plan B {: #elsewhere .loud} <a " in html
    assert 'aria-labelledby="tip-plan-b-elsewhere-loud-title"' in html


class _BlocksLike(Extension):
    """Registers a block processor the way pymdownx.blocks (13.x) does: one, named "blocks".

    pymdownx is not a dependency of this project, so its registration is reproduced here."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.parser.blockprocessors.register(BlockProcessor(md.parser), "blocks", 89.99)


@pytest.mark.parametrize("tips_first", [True, False], ids=["tips-first", "tips-last"])
def test_refuses_to_share_the_slashes_with_pymdownx_blocks(tips_first: bool) -> None:
    """Both read "///" blocks; together they would misrender pages, so the mix is an error."""
    extensions = ["tipboxes.extension", _BlocksLike()]
    if not tips_first:
        extensions.reverse()
    with pytest.raises(ValueError) as error:
        markdown.Markdown(extensions=extensions).convert("/// tip | Together\nBody.\n///\n")
    assert "tipboxes.extension and pymdownx.blocks" in str(error.value)
    assert not isinstance(error.value, TipSyntaxError)  # a setup mistake, not an author's


@pytest.mark.parametrize(
    "line",
    ["///Footnotes Go Here///", "/// a path like /usr/local/bin"],
)
def test_slashes_that_do_not_try_to_open_a_tip_stay_prose(line: str) -> None:
    assert render(f"{line}\n\nText.\n") == f"<p>{line}</p>\n<p>Text.</p>"


@pytest.mark.parametrize(
    "line",
    ["/// tip Title without a bar", "/// Warning", "///| Title", "/// Tipp | Title"],
)
def test_slashes_before_a_kind_or_a_bar_are_a_tip_header_and_checked(line: str) -> None:
    with pytest.raises(TipSyntaxError):
        render(f"{line}\nBody.\n///\n")


def test_the_footnote_placeholder_places_the_footnotes_among_tips() -> None:
    text = "Claim.[^1]\n\n///Footnotes Go Here///\n\n/// tip | After\nBody.\n///\n\n[^1]: Note.\n"
    html = markdown.markdown(text, extensions=["footnotes", TipBoxExtension()])
    assert html.index('class="footnote"') < html.index('class="tip')
