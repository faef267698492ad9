"""Markdown extension: an id on every heading that has none, so any section can be linked to.

The ids are exactly those Python-Markdown's `toc` extension gives (its `slugify` and `unique`,
the same text rules), but without the rest of `toc`'s work, which this site never shows: the
table of contents it builds, and a full re-render of every heading, including tip headings that
already carry an id: a real share of the Markdown time of a build (see the bench report).
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import remove_fnrefs, render_inner_html, slugify, strip_tags, unique
from markdown.treeprocessors import Treeprocessor
from markdown.util import STX

HEADINGS = frozenset(f"h{level}" for level in range(1, 7))


class HeadingIdTreeprocessor(Treeprocessor):
    """Sets `id` from the heading's text; ids already present (tips, attr_list) are kept."""

    NAME = "heading_ids"
    # Where `toc` runs: after inline Markdown (20) and the tip boxes (5.5), before unescape (0).
    PRIORITY = 5

    def __init__(self, md: Markdown, separator: str) -> None:
        super().__init__(md)
        self.separator = separator

    def run(self, root: etree.Element) -> None:
        headings = [el for el in root.iter() if el.tag in HEADINGS and "id" not in el.attrib]
        if not headings:
            return
        used = {el.attrib["id"] for el in root.iter() if "id" in el.attrib}
        counters: dict[str, int] = {}
        for heading in headings:
            name = self._name(heading)
            heading.set("id", unique(slugify(html.unescape(name), self.separator), used, counters))

    def _name(self, heading: etree.Element) -> str:
        """The heading's plain text, as `toc` computes it; plain text skips the re-render."""
        text = heading.text or ""
        if len(heading) == 0 and STX not in text and "&" not in text:
            return " ".join(text.split())
        return strip_tags(render_inner_html(remove_fnrefs(heading), self.md))


class HeadingIdExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {"separator": ["-", "Word separator in generated ids."]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        processor = HeadingIdTreeprocessor(md, str(self.getConfig("separator")))
        md.treeprocessors.register(processor, HeadingIdTreeprocessor.NAME, processor.PRIORITY)


def makeExtension(**kwargs: Any) -> HeadingIdExtension:
    return HeadingIdExtension(**kwargs)
