"""Pages read without the planner give what planning every page first gives.

The planner (tipboxes.syntax.Planner) runs only when reading a page calls for it
(tipboxes.state). These tests convert each page twice: as the extension does, and with the plan
made before parsing, as every page was once planned. The HTML, the tips and the errors must be
the same, for pages written to be awkward: tips in lists, quotes, code and HTML, options right
and wrong, stray and mismatched closers, clashing ids.
"""

from __future__ import annotations

import random

import markdown
import pytest

from tipboxes.extension import TipPlanPreprocessor, TipSyntaxError

EXTENSIONS = [
    "markdown.extensions.extra",
    "markdown.extensions.smarty",
    "markdown.extensions.toc",
    "markdown.extensions.meta",
]


class PlanFirst(TipPlanPreprocessor):
    """The pre-pass as it once was: every page with "///" planned before any parsing."""

    def run(self, lines: list[str]) -> list[str]:
        lines = super().run(lines)
        self.state.plan_now()
        return lines


def new_markdown(plan_first: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=[*EXTENSIONS, "tipboxes.extension"], output_format="html5")
    if plan_first:
        current = md.preprocessors[TipPlanPreprocessor.NAME]
        md.preprocessors.register(
            PlanFirst(md, current.state, current.id_prefix),
            TipPlanPreprocessor.NAME,
            TipPlanPreprocessor.PRIORITY,
        )
    return md


def outcome(md: markdown.Markdown, source: str) -> tuple[str, object]:
    md.reset()
    try:
        html = md.convert(source)
    except TipSyntaxError as error:
        return "error", str(error)
    return html, md.tips


# Each part comes right or wrong: the wrong ones are rarer, so many pages have tips that render
# and many others a mistake.
TITLES = (["Ask early", "Don't *panic*", "Café & co", "Ask early"], ["???", "", "Ask   early"])
KINDS = (["tip", "warning", "example", "action", "TIP"], ["tipp"])
OPTIONS = (
    ["    action: Send it today", "    id: chosen-id", '    action: "quoted"'],
    ["    id: 9bad", "    colour: red", "    action:", "    not an option", "    id: a///b"],
)
BODIES = (
    ["One sentence of advice.", "- a list\n- of two", "> quoted", "A note.[^1]\n\n[^1]: It."],
    ["", "```\n/// tip | In a fence\n```", "    code /// here", "text with a///b inside"],
)
CLOSERS = (["///"], ["////", "  ///", "", "/// tip | Opens instead"])
AROUND = (
    ["Plain prose.", "## A heading", "- item\n- another", "See file:///etc/hosts too."],
    [
        "- item\n- /// tip | In a list\n- item",
        "1. First\n\n    /// tip | In a list item\n\n    Body.\n\n    ///",
        "> /// warning | In a quote\n> Body.\n> ///",
        "```\n/// tip | Fenced\nBody.\n///\n```",
        "<div>\n/// tip | In HTML\nBody.\n///\n</div>",
        '<div markdown="1">\n\n/// tip | In a Markdown div\n\nBody.\n\n///\n\n</div>',
        "///",
        "///Footnotes Go Here///",
        "    /// tip | Indented code",
        "/// tip Without a bar",
    ],
)


def pick(rng: random.Random, choices: tuple[list[str], list[str]]) -> str:
    right, wrong = choices
    return rng.choice(wrong if rng.random() < 0.07 else right)


def a_tip(rng: random.Random) -> str:
    slashes = "////" if rng.random() < 0.2 else "///"
    lines = [f"{slashes} {pick(rng, KINDS)} | {pick(rng, TITLES)}"]
    lines += [pick(rng, OPTIONS) for _ in range(rng.choice([0, 0, 1, 2]))]
    if rng.random() < 0.7:
        lines.append("")
    lines.append(pick(rng, BODIES))
    closer = pick(rng, CLOSERS)
    lines += [""] * rng.choice([0, 1]) + [slashes if closer == "///" else closer]
    return "\n".join(lines)


def a_page(rng: random.Random) -> str:
    parts = ["Title: A page\nDate: 2026-01-01\n"] if rng.random() < 0.3 else []
    for _ in range(rng.randint(1, 4)):
        parts.append(a_tip(rng) if rng.random() < 0.6 else pick(rng, AROUND))
    return "\n\n".join(parts) + "\n"


def test_every_page_reads_as_if_planned_first() -> None:
    rng = random.Random(20261205)
    ours, planned_first = new_markdown(False), new_markdown(True)
    state = ours.preprocessors[TipPlanPreprocessor.NAME].state
    seen = {"error": 0, "tips read alone": 0, "tips held to a plan": 0}
    for _ in range(1500):
        page = a_page(rng)
        got, expected = outcome(ours, page), outcome(planned_first, page)
        assert got == expected, page
        if got[0] == "error":
            seen["error"] += 1
        elif got[1]:
            seen["tips read alone" if state.unplanned else "tips held to a plan"] += 1
    # Every way through is taken, many times.
    assert min(seen.values()) > 100, seen


@pytest.mark.parametrize(
    "page",
    [
        "/// tip | Ask early\nBody.\n///\n\nSee file:///etc/hosts.\n",
        '<div markdown="1">\n\n/// tip | In a div\n\nBody.\n\n///\n\n</div>\n',
        "/// tip | Fine\nBody.\n///\n\n```\n/// tip | Only code\n```\n",
    ],
    ids=["stray-slashes-in-prose", "markdown-in-html", "tip-syntax-in-code"],
)
def test_pages_the_planner_reads_still_render(page: str) -> None:
    """A "///" no tip accounts for has the planner read the page, which finds nothing wrong."""
    html, tips = outcome(new_markdown(False), page)
    assert html != "error" and len(tips) == 1  # type: ignore[arg-type]
    assert outcome(new_markdown(True), page) == (html, tips)


def test_a_page_refused_from_inside_a_list_leaves_the_next_one_alone() -> None:
    """The planner may now stop a page halfway through parsing, inside a list: the instance's
    next page must not be parsed as if it were inside that list."""
    md = new_markdown(False)
    with pytest.raises(TipSyntaxError, match="line 1: this tip is indented or inside a list"):
        md.convert("- /// tip | In a list\n- another item\n")
    md.reset()
    assert md.convert("A paragraph.\n") == "<p>A paragraph.</p>"
