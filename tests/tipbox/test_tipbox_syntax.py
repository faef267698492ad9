"""The planner's reading of pages, pinned: what it plans for well-formed pages, what it refuses.

`Planner.plan` walks every line as the block parser will see it. These inputs once also held a
quicker reading of well-formed pages equal to the walk; the plans and messages below are what
the walk gave for them then, so its behaviour stays the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.corpus import HEADINGS, TIP_KINDS, TIPS, article_markdown
from tipboxes.syntax import CLOSER_RE, HEADER_RE, OPTION_RE, Planner, TipSyntaxError, slugify

GOLDEN = Path(__file__).parent / "golden"

# Page -> its plan: (line, kind, title, slashes, options, id) per tip.
USUAL: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "options": (
        "/// tip | A\n    id: a-one\n    action: Do it.\n\nBody.\n///\n",
        [(1, "tip", "A", 3, {"id": "a-one", "action": "Do it."}, "a-one")],
    ),
    "more-slashes": (
        "//// warning | B\nBody.\n////\n\n/// example | C\n\nMore.\n\n///\n",
        [(1, "warning", "B", 4, {}, "tip-b"), (5, "example", "C", 3, {}, "tip-c")],
    ),
    "prose-around": (
        "Intro.\n/// action | D\nBody.\n///\nOutro.\n",
        [(2, "action", "D", 3, {}, "tip-d")],
    ),
    "quoted-option": (
        "/// tip | E\n    action: \"Say: 'hi'\"\nBody.\n///\n",
        [(1, "tip", "E", 3, {"action": "Say: 'hi'"}, "tip-e")],
    ),
    "margin-spaces": ("   /// tip | F\nBody.\n   ///\n", [(1, "tip", "F", 3, {}, "tip-f")]),
    "indented-code-in-body": (
        "/// tip | A\n\n    code line\n\nBody.\n///\n",
        [(1, "tip", "A", 3, {}, "tip-a")],
    ),
    "indented-code-outside": ("Para.\n\n    /// tip | not a tip\n", []),
    # After a blank line an indented line is the body's code, no longer an option.
    "option-after-blank": (
        "/// tip | A\n\n    id: x\nBody.\n///\n",
        [(1, "tip", "A", 3, {}, "tip-a")],
    ),
    "slashes-in-prose": ("A path like a///b is prose.\n", []),
    "slashes-mid-body": (
        "/// tip | A\nBody with a///b in it.\n///\n",
        [(1, "tip", "A", 3, {}, "tip-a")],
    ),
}

NESTED = "this tip is indented or inside a list or quote, so it would not become a tip box."
# Page -> the message it is refused with, its line first.
REFUSED: dict[str, tuple[str, str]] = {
    "in-list": (
        "- item\n\n    /// tip | A\n    Body.\n    ///\n",
        f'line 3: {NESTED} Start "/// tip | Title" at the left margin.',
    ),
    "in-quote": (
        "> /// tip | A\n> Body.\n> ///\n",
        f'line 1: {NESTED} Start "/// tip | Title" at the left margin.',
    ),
    "empty-body": (
        "/// tip | A\n\n///\n",
        'line 1: the tip "A" has no body. '
        'Write at least one sentence between its header and the closing "///".',
    ),
    "no-title": (
        "/// tip\nBody.\n///\n",
        'line 1: this tip has no title. Write it after a bar: "/// tip | Title".',
    ),
    "unknown-kind": (
        "/// tipp | A\nBody.\n///\n",
        'line 1: unknown tip kind "tipp". Use one of: tip, warning, example, action.',
    ),
    "bad-option": (
        "/// tip | A\n    colour: red\nBody.\n///\n",
        'line 2: unknown option "colour" in the tip at line 1. Use one of: id, action.',
    ),
    "twice-option": (
        "/// tip | A\n    id: a\n    id: b\nBody.\n///\n",
        'line 3: the option "id" is given twice in the tip at line 1. Keep one.',
    ),
    "bad-id": (
        "/// tip | A\n    id: 9lives\nBody.\n///\n",
        'line 2: the id "9lives" cannot be used. An id starts with a letter and has only '
        "letters, digits, hyphens and underscores.",
    ),
    "unclosed": (
        "/// tip | A\nBody.\n",
        'line 1: the tip "A" is never closed. End it with a line containing only "///".',
    ),
    "stray-closer": (
        "Body.\n///\n",
        'line 2: this "///" closes nothing. '
        'Remove it, or open a tip above it with "/// tip | Title".',
    ),
    "wrong-closer": (
        "//// tip | A\nBody.\n///\n",
        'line 3: "///" does not match the "////" that opened the tip at line 1. '
        'Close it with "////".',
    ),
    "tip-in-tip": (
        "/// tip | A\nBody.\n/// tip | B\nMore.\n///\n///\n",
        'line 3: a tip cannot start inside the tip opened at line 1. Close that one with "///" '
        "first.",
    ),
}

# Golden page -> (line, kind, id) per tip; the titles and bodies are pinned by the golden HTML.
GOLDEN_PLANS: dict[str, list[tuple[int, str, str]]] = {
    "adjacent": [(2, "warning", "tip-treat-any-questions-as-optional")],
    "code-left-alone": [(18, "tip", "tip-the-only-real-tip")],
    "inline-titles": [
        (3, "tip", "tip-panic-less"),
        (7, "tip", "tip-not-emphasis"),
        (11, "example", "tip-use-git-log-then-read-it"),
        (15, "warning", "tip-ends-x"),
        (19, "tip", "tip-quoted-and-back-slashed"),
    ],
    "kinds": [
        (3, "tip", "tip-dust-yourself-off"),
        (7, "warning", "tip-badmouth-your-last-employer"),
        (11, "example", "tip-a-reply-to-a-rejection"),
        (15, "action", "tip-update-your-cv-tonight"),
    ],
    "no-tips": [],
    "options": [
        (1, "tip", "dust-off"),
        (8, "example", "tip-without-options"),
        (12, "action", "pay-talk"),
    ],
    "rich-body": [(1, "tip", "tip-keep-a-brag-document")],
    "asides-around": [
        (5, "tip", "tip-inside-an-aside"),
        (15, "warning", "tip-right-after-a-raw-aside"),
    ],
}
# The fenced code of code-left-alone.md, as the extension finds it with the fenced-code extension.
GOLDEN_CODE_LINES = {"code-left-alone": {*range(3, 8), *range(9, 13)}}


def plan(text: str, code_lines: set[int] | None = None) -> list[Any]:
    return Planner(code_lines or set(), "tip-").plan(text.split("\n"))


@pytest.mark.parametrize(("text", "expected"), USUAL.values(), ids=USUAL.keys())
def test_plans_every_tip_of_a_well_formed_page(text: str, expected: list[tuple[Any, ...]]) -> None:
    planned = plan(text)
    assert [(p.line, p.kind, p.title, p.slashes, p.options, p.id) for p in planned] == expected
    assert all(p.has_body for p in planned)


def test_remembers_the_line_of_each_option() -> None:
    (tip,) = plan(USUAL["options"][0])
    assert tip.option_lines == {"id": 2, "action": 3}


@pytest.mark.parametrize(("text", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refuses_a_malformed_page_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(TipSyntaxError) as error:
        plan(text)
    assert str(error.value) == message


def test_golden_plans_cover_every_golden_page() -> None:
    assert set(GOLDEN_PLANS) == {source.stem for source in GOLDEN.glob("*.md")}


@pytest.mark.parametrize(("name", "expected"), GOLDEN_PLANS.items(), ids=GOLDEN_PLANS.keys())
def test_plans_the_golden_pages(name: str, expected: list[tuple[int, str, str]]) -> None:
    text = (GOLDEN / f"{name}.md").read_text(encoding="utf-8")
    planned = plan(text, GOLDEN_CODE_LINES.get(name))
    assert [(p.line, p.kind, p.id) for p in planned] == expected
    assert all(p.has_body for p in planned)


def test_code_lines_are_never_read_as_tips() -> None:
    """Without its code lines, code-left-alone.md's misspelt kind in a fence is refused."""
    with pytest.raises(TipSyntaxError) as error:
        plan((GOLDEN / "code-left-alone.md").read_text(encoding="utf-8"))
    assert str(error.value).startswith('line 10: unknown tip kind "tipp"')


@pytest.mark.parametrize("index", range(0, 400, 7))
def test_plans_the_generated_articles(index: int) -> None:
    text = article_markdown(index, TIPS)
    lines = text.split("\n")
    headers = [number for number, line in enumerate(lines, 1) if line.startswith("/// ")]
    planned = plan(text)
    assert [p.line for p in planned] == headers and len(planned) == 4
    assert [p.kind for p in planned] == [TIP_KINDS[(index + k) % 4] for k in range(4)]
    for tip in planned:
        assert lines[tip.line - 1] == f"/// {tip.kind} | {tip.title}"
        assert tip.id == "tip-" + slugify(tip.title) and tip.has_body and tip.slashes == 3
        assert set(tip.options) == ({"action"} if tip.kind == "action" else set())
    assert plan(article_markdown(index, HEADINGS)) == []


def test_the_grammar_reads_a_line_alone_and_a_line_inside_a_block_alike() -> None:
    """The planner matches lines on their own, the block processor inside blocks of lines."""
    block = "Intro.\n/// Tip | Title here  \n    id: x\nBody.\n  ////  \nAfter."
    starts = [0, *(at + 1 for at, char in enumerate(block) if char == "\n")]
    for pattern in (HEADER_RE, CLOSER_RE, OPTION_RE):
        for start, line in zip(starts, block.split("\n"), strict=True):
            alone, inside = pattern.match(line), pattern.match(block, start)
            assert (alone is None) == (inside is None), (pattern.pattern, line)
            if alone is not None and inside is not None:
                assert alone.groupdict() == inside.groupdict()
                assert inside.end() - start == len(line)
    header = HEADER_RE.match(block, starts[1])
    assert header is not None and header["name"] == "Tip" and header["title"] == " Title here  "
