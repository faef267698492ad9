"""The tips' plain text, collected once inline Markdown and smart quotes are done: the tree
processor fills ``md.tips`` (tipboxes.tip.Tip) for templates, feeds and structured data, and
writes each box's permalink, whose label needs the title as text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser

from markdown import Markdown, util
from markdown.treeprocessors import Treeprocessor

from tipboxes.markup import ascii_html, escape_html
from tipboxes.state import RenderedTip, TipState
from tipboxes.tip import ACTION_LABEL, Tip


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


class TipCollectTreeprocessor(Treeprocessor):
    """Fills `md.tips` with plain text once inline Markdown and smart quotes are done."""

    NAME = "tipbox_collect"
    # After inline (20) and smarty (6), before toc (5) so it can read data-toc-label.
    PRIORITY = 5.5
    ESCAPED_RE = re.compile(f"{util.STX}([0-9]+){util.ETX}")

    def __init__(self, md: Markdown, state: TipState) -> None:
        super().__init__(md)
        self.state = state
        self._block_tags: frozenset[object] = frozenset()

    def run(self, root: etree.Element) -> None:
        self.state.finish()
        if len(self._block_tags) != len(self.md.block_level_elements):  # set up, or changed
            self._block_tags = frozenset(self.md.block_level_elements)
        label_for_toc = "toc" in self.md.treeprocessors
        self.md.tips = [  # type: ignore[attr-defined]
            self._tip(rendered, number, label_for_toc)
            for number, rendered in enumerate(self.state.rendered, 1)
        ]

    def _tip(self, rendered: RenderedTip, number: int, label_for_toc: bool) -> Tip:
        planned = rendered.planned
        title = self._plain(rendered.heading)
        action = None
        if rendered.action is not None:
            action = self._plain(rendered.action).removeprefix(ACTION_LABEL).strip()
        tip = Tip(
            title=title,
            id=planned.id,
            kind=planned.kind,
            action=action,
            number=number,
            text=self._plain_blocks(rendered.body()),
        )
        rendered.permalink = ascii_html(
            f'<a aria-label="Permalink to this tip: {escape_html(title)}" class="tip__permalink" '
            f'href="#{escape_html(planned.id)}">#</a>'
        )
        if label_for_toc:
            rendered.heading.set("data-toc-label", tip.headline)
        return tip

    def _plain(self, element: etree.Element) -> str:
        """Text a reader sees inside an element, without markup."""
        parts = [element.text or ""]
        for child in element:
            self._walk(child, parts)
            parts.append(child.tail or "")
        return self._normalised("".join(parts))

    def _plain_blocks(self, blocks: list[etree.Element]) -> str:
        """Text a reader sees in a run of blocks; block boundaries become spaces."""
        parts: list[str] = []
        for block in blocks:
            self._walk(block, parts)
            parts.append(block.tail or "")
        return self._normalised("".join(parts))

    def _walk(self, element: etree.Element, parts: list[str]) -> None:
        if element.get("id", "").startswith("fnref"):  # a footnote number is not prose
            return
        block = element.tag in self._block_tags
        parts.append(" " if block else "")
        parts.append(element.text or "")
        for child in element:
            self._walk(child, parts)
            parts.append(child.tail or "")
        parts.append(" " if block else "")

    def _normalised(self, text: str) -> str:
        if util.STX in text:  # stashed HTML or an escaped character
            text = self._unstash(text)
        return " ".join(text.split())

    def _unstash(self, text: str) -> str:
        def raw_html(match: re.Match[str]) -> str:
            index = int(match.group(1))
            blocks = self.md.htmlStash.rawHtmlBlocks
            if index >= len(blocks):
                return ""
            raw = blocks[index]
            if isinstance(raw, etree.Element):
                return " ".join(raw.itertext())
            collector = _TextCollector()
            collector.feed(raw)
            collector.close()
            return "".join(collector.parts)

        text = util.HTML_PLACEHOLDER_RE.sub(raw_html, text)
        return self.ESCAPED_RE.sub(lambda match: chr(int(match.group(1))), text)
