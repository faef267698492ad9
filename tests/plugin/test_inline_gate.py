"""The inline gate (nextround.inline_gate) changes no output: every document converts to exactly
what Python-Markdown gives without it, with the site's own extensions; and the starts it reads
off an expression are ones every match begins with."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import Markdown
from markdown.treeprocessors import InlineProcessor

from nextround.inline_gate import GatedInlineProcessor, gate_for, starts_of

ROOT = Path(__file__).resolve().parents[2]
SITE_MARKDOWN = runpy.run_path(str(ROOT / "pelicanconf.py"))["MARKDOWN"]


def _site_markdown(gated: bool) -> Markdown:
    configs = dict(SITE_MARKDOWN["extension_configs"])
    if not gated:
        configs.pop("nextround.inline_gate")
    return Markdown(extension_configs=configs, extensions=list(configs), output_format="html5")


UNGATED, GATED = _site_markdown(gated=False), _site_markdown(gated=True)


def _both(text: str) -> tuple[str, str]:
    UNGATED.reset()
    GATED.reset()
    return UNGATED.convert(text), GATED.convert(text)


EVERY_CONSTRUCT = r"""
Plain prose, with nothing inline at all, over two
lines and a break at the end of this one{two spaces}
then *emphasis*, **strong**, ***both***, _under_, __double__, snake_case_word and 2 * 3 * 4.
A `code span`, ``a `tick` inside``, an escaped \`tick\`, \\`code after a backslash`, \*not em\*.
[A link](https://example.org/ "Title"), [a reference][ref], [short ref], ![an image](a.png),
![image ref][ref], ![short image], <https://example.org/auto>, <someone@example.org>,
an <abbr title="inline HTML">HTML</abbr> tag, &amp; &copy; &#8217; &#x27; and a bare & sign.
A footnote[^note] and an HTML abbreviation.
Text with a < b > c and an unclosed [bracket and a stray ! mark.

*[HTML]: Hyper Text Markup Language

[ref]: https://example.org/ref
[short ref]: https://example.org/short
[short image]: b.png
[^note]: The note, with *emphasis* and a [link](https://example.org/note).

| Head *one* | Head `two` |
|------------|------------|
| cell [x](y) | **cell** |

Term
: Definition with _emphasis_.

```python
print("*not emphasis*", [1])
```

    indented *code* [not a link](x)

<div markdown="1">In HTML with *Markdown*.</div>

## A heading with `code` and [a link](z) {: #custom .cls }

/// tip | A tip with *emphasis*
Body with a [link](https://example.org/) and `code`.
///

> A quote with **strong** and a break{two spaces}
> on the next line.

- item *one*
- item [two](t)
    1. nested `three`
""".replace("{two spaces}", "  ")  # a line break, kept visible here


def test_every_inline_construct_converts_as_without_the_gate() -> None:
    ungated, gated = _both(EVERY_CONSTRUCT)
    assert gated == ungated
    # The sample reaches every pattern's work, so a gate shut wrongly would change the output.
    for piece in ("<em>", "<strong>", "<code>", '<a href="https://example.org/"', "<img", "<br"):
        assert piece in gated
    assert "&amp;" in gated and "&copy;" in gated and 'class="footnote-ref"' in gated


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("content/**/*.md"), *ROOT.glob("tests/**/*.md")]),
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_the_sites_own_writing_converts_as_without_the_gate(path: Path) -> None:
    ungated, gated = _both(path.read_text("utf-8"))
    assert gated == ungated


MARKDOWN_PIECES = st.sampled_from(
    [
        "word",
        " ",
        "  ",
        "\n",
        "\n\n",
        "*",
        "**",
        "_",
        "__",
        "`",
        "``",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "!",
        "<",
        ">",
        "&",
        ";",
        "#",
        ":",
        "^",
        "=",
        '"',
        "'",
        "-",
        "|",
        "{",
        "}",
        ".",
        "https://example.org/",
        "a@example.org",
        "&amp;",
        "&#8217;",
        "[^1]",
        "[x]",
        "<b>",
        "</b>",
        "<br>",
        "  \n",
        "\u00e9",
        "\u2019",
        "1.",
        "- ",
        "> ",
        "## ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=60).map("".join))
def test_any_text_converts_as_without_the_gate(text: str) -> None:
    ungated, gated = _both(text)
    assert gated == ungated


def test_prose_without_markup_tries_no_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate skips patterns, not just agrees with Python-Markdown: with a Python-Markdown
    whose internals moved, the speed would be lost without this failing."""
    applied: list[str] = []
    apply = InlineProcessor._InlineProcessor__applyPattern  # type: ignore[attr-defined]

    def counting(self: InlineProcessor, pattern: object, *args: object) -> object:
        applied.append(type(pattern).__name__)
        return apply(self, pattern, *args)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counting)
    prose = "Keep a simple log of every application.\n\nFollow up once, politely, after a week."
    ungated, gated = _both(prose)
    assert gated == ungated
    assert len(applied) == 2 * 15  # Python-Markdown's own: every pattern, each paragraph
    applied.clear()
    GATED.reset()
    GATED.convert(prose)
    assert applied == []
    GATED.reset()
    GATED.convert("A [link](https://example.org/) and *emphasis*.")
    assert "LinkInlineProcessor" in applied and "BacktickInlineProcessor" not in applied


def test_the_gated_processor_takes_the_place_of_the_inline_one() -> None:
    assert isinstance(GATED.treeprocessors["inline"], GatedInlineProcessor)
    names = [item.name for item in GATED.treeprocessors._priority]
    assert names == [item.name for item in UNGATED.treeprocessors._priority]


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (r"\*|_", {"*", "_"}),
        (r"(?<!\\)`", {"`"}),
        (r"  \n", {"  \n"}),
        (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", {"\\", "`"}),
        (r"^(a|bc)d", {"a", "bc"}),
        (r"(ab)+c", {"a"}),
        (r"x?[yz]", {"x", "y", "z"}),
        (r"[a-c]", {"a", "b", "c"}),
        (r"(?=q)q", {"q"}),
    ],
)
def test_starts_are_what_every_match_begins_with(pattern: str, starts: set[str]) -> None:
    assert starts_of(re.compile(pattern)) == starts


@pytest.mark.parametrize(
    "pattern",
    [r".x", r"\wx", r"[^a]", r"a*", r"(a)?\1x", r"(?i)a", r"(?:a|)", r"\s", r"(a)?(?(1)b|c)"],
)
def test_no_starts_when_they_cannot_be_told(pattern: str) -> None:
    assert starts_of(re.compile(pattern)) is None


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([r"\*|_", r"(?<!\\)`", r"  \n", r"^(a|bc)d", r"(ab)+c", r"x?[yz]", r"\[\^"]),
    st.text(alphabet="abcdxyz*_`\\ \n[^", max_size=30),
    st.integers(min_value=0, max_value=30),
)
def test_a_shut_gate_means_no_match(pattern: str, text: str, position: int) -> None:
    expression = re.compile(pattern)
    starts = starts_of(expression)
    assert starts is not None
    if not gate_for(starts).opens(text, position):
        assert expression.search(text, position) is None


class _Recorder:
    """What a pattern may hand over instead of a compiled expression: anything with a search."""

    pattern = "x"
    flags = 0

    def search(self, text: str, position: int = 0) -> None:
        return None


def test_no_starts_for_what_is_not_a_compiled_expression() -> None:
    assert starts_of(_Recorder()) is None  # type: ignore[arg-type]
