"""A document's tips while Python-Markdown converts it: those read so far, and the page's plan
once one is needed.

The block parser reads every tip of a page anyway. Where a tip stands at the left margin with
well-formed options, a body and its closing line, what the parser reads is what the planner
(syntax.Planner) would plan for it; when every "///" of the page lies on the lines of such
tips, the planner's line-by-line walk is left out. Anything else (a tip inside another block, a
line the parser cannot read as a tip's, a "///" that no tip accounts for) has the planner read
the whole page as it would have before parsing: it names the first mistake with its line, or
plans the page, and every tip is then held to the plan.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tipboxes.syntax import Planned, TipSyntaxError

if TYPE_CHECKING:
    from markdown import Markdown


@dataclass
class RenderedTip:
    """A tip as the block processor rendered it: the elements the later passes fill in."""

    planned: Planned
    aside: etree.Element
    heading: etree.Element
    action: etree.Element | None
    permalink: str = ""  # the permalink's HTML, once the title's plain text is known

    def body(self) -> list[etree.Element]:
        """The blocks of the tip's body: everything in the box between heading and action."""
        return list(self.aside)[1 : -1 if self.action is not None else None]


class TipState:
    """Per-document state, on the Markdown instance so a shared extension instance holds none."""

    def __init__(self, md: Markdown) -> None:
        self.md = md
        self.reset()

    def reset(self) -> None:
        """Called by md.reset(): the next document starts with no tips, and with the block
        parser's state clear. A tip refused from inside a list leaves that state set ("list",
        "detabbed"), which Markdown's own reset keeps: the next document on the same instance
        would be parsed as if inside a list."""
        self.md.parser.state.clear()
        self.planned: list[Planned] | None = []  # None: not planned (yet)
        self.rendered: list[RenderedTip] = []  # in the page's order
        self.md.tips = []  # type: ignore[attr-defined]
        self._plan: Callable[[], list[Planned]] | None = None
        self._slashes = 0  # how many "///" the page holds
        self._accounted = 0  # how many of them are on lines of tips read without a plan
        self._ids: set[str] = set()  # the ids (and their headings' ids) those tips took

    def start(self, planned: list[Planned]) -> None:
        """A page planned before parsing (one without any "///": an empty plan)."""
        self.reset()
        self.planned = planned

    def expect(self, slashes: int, plan: Callable[[], list[Planned]]) -> None:
        """A page with tip syntax, to plan with `plan` only if reading it calls for it."""
        self.reset()
        self.planned, self._slashes, self._plan = None, slashes, plan

    @property
    def unplanned(self) -> bool:
        return self.planned is None

    def plan_now(self) -> list[Planned]:
        """The page's plan, made now if it is not made yet: raises on the page's first mistake.
        Every tip read before it must then be the one the plan has in its place."""
        if self.planned is None:
            assert self._plan is not None  # set by expect(), the only way to be unplanned
            planned = self._plan()
            self.planned = planned
            for index, rendered in enumerate(self.rendered):
                self._held_to_plan(index, rendered.planned.kind, rendered.planned.title)
        return self.planned

    def claim(self, kind: str, title: str) -> Planned:
        """The plan for the tip being rendered (planning the page if need be); tips the plan
        does not have in this place are refused."""
        self.plan_now()
        return self._held_to_plan(len(self.rendered), kind, title)

    def _held_to_plan(self, index: int, kind: str, title: str) -> Planned:
        planned = self.planned or []
        if index < len(planned) and (planned[index].kind, planned[index].title) == (kind, title):
            return planned[index]
        raise TipSyntaxError(
            None,
            f'the {kind} "{title}" is inside a list, quote or HTML block, so it cannot be '
            "numbered. Start it at the left margin, outside other blocks.",
        )

    def id_taken(self, tip_id: str) -> bool:
        """Whether a tip read without a plan gave this id, or its heading's, already."""
        return tip_id in self._ids or f"{tip_id}-title" in self._ids

    def accept(self, planned: Planned, slashes: int) -> None:
        """A tip read without a plan, with the "///" on its header, option and closing lines."""
        self._ids.update((planned.id, f"{planned.id}-title"))
        self._accounted += slashes

    def finish(self) -> None:
        """Once the page is parsed: a "///" left unaccounted for has the planner read the page;
        a tip it planned that was never shown is refused."""
        if self.planned is None and self._accounted != self._slashes:
            self.plan_now()
        if self.planned is not None and len(self.rendered) < len(self.planned):
            missing = self.planned[len(self.rendered)]
            raise TipSyntaxError(
                missing.line,
                f'the tip "{missing.title}" was not shown, probably because it sits inside an '
                "HTML block. Move it out of the HTML.",
            )
