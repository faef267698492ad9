"""The planner's quick reading of usual pages finds exactly what the line-by-line walk finds.

`Planner.plan_well_formed` reads only the "///" and indented lines; it must either agree with
`Planner.walk` or step aside (None) so the walk decides and names any mistake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.corpus import HEADINGS, TIPS, article_markdown
from tipboxes.syntax import Planner, TipSyntaxError

GOLDEN = Path(__file__).parent / "golden"

USUAL = {
    "options": "/// tip | A\n    id: a-one\n    action: Do it.\n\nBody.\n///\n",
    "more-slashes": "//// warning | B\nBody.\n////\n\n/// example | C\n\nMore.\n\n///\n",
    "prose-around": "Intro.\n/// action | D\nBody.\n///\nOutro.\n",
    "quoted-option": "/// tip | E\n    action: \"Say: 'hi'\"\nBody.\n///\n",
    "margin-spaces": "   /// tip | F\nBody.\n   ///\n",
}

UNUSUAL = {
    "in-list": "- item\n\n    /// tip | A\n    Body.\n    ///\n",
    "in-quote": "> /// tip | A\n> Body.\n> ///\n",
    "indented-code-in-body": "/// tip | A\n\n    code line\n\nBody.\n///\n",
    "indented-code-outside": "Para.\n\n    /// tip | not a tip\n",
    "option-after-blank": "/// tip | A\n\n    id: x\nBody.\n///\n",
    "empty-body": "/// tip | A\n\n///\n",
    "no-title": "/// tip\nBody.\n///\n",
    "unknown-kind": "/// tipp | A\nBody.\n///\n",
    "bad-option": "/// tip | A\n    colour: red\nBody.\n///\n",
    "twice-option": "/// tip | A\n    id: a\n    id: b\nBody.\n///\n",
    "bad-id": "/// tip | A\n    id: 9lives\nBody.\n///\n",
    "unclosed": "/// tip | A\nBody.\n",
    "stray-closer": "Body.\n///\n",
    "wrong-closer": "//// tip | A\nBody.\n///\n",
    "tip-in-tip": "/// tip | A\nBody.\n/// tip | B\nMore.\n///\n///\n",
    "slashes-in-prose": "A path like a///b is prose.\n",
    "slashes-mid-body": "/// tip | A\nBody with a///b in it.\n///\n",
}


def signature(plan: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (p.line, p.kind, p.title, p.slashes, p.options, p.option_lines, p.has_body) for p in plan
    ]


def both(text: str) -> tuple[list[Any] | None, list[Any] | TipSyntaxError]:
    lines = text.split("\n")
    quick = Planner(set(), set(), "tip-").plan_well_formed(lines)
    try:
        walked: list[Any] | TipSyntaxError = Planner(set(), set(), "tip-").walk(lines)
    except TipSyntaxError as error:
        walked = error
    return quick, walked


@pytest.mark.parametrize("text", USUAL.values(), ids=USUAL.keys())
def test_usual_pages_are_read_quickly_with_the_walks_plan(text: str) -> None:
    quick, walked = both(text)
    assert quick is not None
    assert not isinstance(walked, TipSyntaxError)
    assert signature(quick) == signature(walked)


@pytest.mark.parametrize("text", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_anything_unusual_is_left_to_the_walk(text: str) -> None:
    quick, _ = both(text)
    assert quick is None


def test_agrees_with_the_walk_on_every_golden_page_it_reads() -> None:
    read = 0
    for source in sorted(GOLDEN.glob("*.md")):
        quick, walked = both(source.read_text(encoding="utf-8"))
        if quick is not None:
            read += 1
            assert not isinstance(walked, TipSyntaxError), source.name
            assert signature(quick) == signature(walked), source.name
    assert read >= 3


@pytest.mark.parametrize("index", range(0, 400, 7))
def test_agrees_with_the_walk_on_generated_articles(index: int) -> None:
    quick, walked = both(article_markdown(index, TIPS))
    assert quick is not None and len(quick) == 4
    assert not isinstance(walked, TipSyntaxError)
    assert signature(quick) == signature(walked)
    assert both(article_markdown(index, HEADINGS))[0] == []
