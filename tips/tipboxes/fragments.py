"""Each tip heading's fixed HTML (icon, kind, "2 of 4", permalink) and its box's attributes,
put in place after serialising, where a marker attribute on the heading says.

Markdown removes STX and ETX from the source, so an author cannot write a marker; unescaping
leaves it alone, as it is not all digits.
"""

from __future__ import annotations

import functools
import re

from markdown import Markdown, util
from markdown.postprocessors import Postprocessor

from tipboxes.markup import ascii_html, escape_html
from tipboxes.state import TipState
from tipboxes.syntax import KINDS, Planned

MARK_ATTRIBUTE = "data-tipbox"
MARK_START = f' {MARK_ATTRIBUTE}="'
# The pattern starts at the value: a search starting with the attribute's leading space would
# stop at every space of the page.
HEADING_MARK_RE = re.compile(f'{util.STX}tipbox:([0-9]+){util.ETX}"([^>]*)>')
ASIDE_TAG = "<aside>"  # a box as serialised, its attributes still to add


def heading_marker(index: int) -> str:
    """The marker attribute's value for the page's tip number `index` (from 0)."""
    return f"{util.STX}tipbox:{index}{util.ETX}"


def aside_tag(planned: Planned) -> str:
    """The box's opening tag, as the serialiser would have written its attributes: fixed
    once rendered, they would only lengthen Markdown's later passes over every element."""
    tip_id = escape_html(planned.id)
    return f'<aside aria-labelledby="{tip_id}-title" class="tip tip--{planned.kind}" id="{tip_id}">'


@functools.lru_cache(maxsize=1024)
def fixed_html(kind_name: str, number: int, total: int) -> str:
    """A tip heading's HTML before its title: icon, kind and number ("Tip 2 of 4: "). The same
    few on every page, so made once each."""
    kind = KINDS[kind_name]
    count = f"{number} of {total}" if kind_name == "tip" else f"(tip {number} of {total})"
    return ascii_html(
        f'<span aria-hidden="true" class="tip__icon">{kind.icon}</span> '
        f'<span class="tip__kind">{escape_html(kind.label)}</span> '
        f'<span class="tip__number">{count}</span>: '
    )


class TipFragmentPostprocessor(Postprocessor):
    """Puts each tip heading's fixed HTML around its title, drops the marker attribute and
    gives the box its attributes (the page's count of tips is known only now).

    The fixed parts never change once rendered: as elements they made Markdown's later passes
    (inline patterns, unescaping, serialising) do more work than the tip's own text, and as
    markers in the heading's text they lengthened every inline pattern's search.
    """

    NAME = "tipbox_fragments"
    # Before Markdown's raw HTML (30): a heading's closing tag is then the first one after its
    # opening tag, as an author's raw HTML is still a placeholder.
    PRIORITY = 35

    def __init__(self, md: Markdown, state: TipState) -> None:
        super().__init__(md)
        self.state = state

    def run(self, text: str) -> str:
        rendered = self.state.rendered
        if not rendered:
            return text
        pieces: list[str] = []
        done = 0
        total = len(rendered)
        for match in HEADING_MARK_RE.finditer(text):
            index = int(match.group(1))
            tip = rendered[index]
            title_end = text.find(f"</{tip.heading.tag}>", match.end())
            attribute = match.start() - len(MARK_START)
            aside = text.rfind(ASIDE_TAG, done, attribute)
            fixed = fixed_html(tip.planned.kind, index + 1, total)
            pieces += [text[done:aside], aside_tag(tip.planned)]
            pieces += [text[aside + len(ASIDE_TAG) : attribute], match.group(2), ">", fixed]
            pieces += [text[match.end() : title_end], " ", tip.permalink]
            done = title_end
        pieces.append(text[done:])
        return "".join(pieces)
