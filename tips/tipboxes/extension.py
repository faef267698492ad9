"""Tip boxes: "/// tip | Title" blocks rendered as numbered, linkable <aside> boxes.

A plain Python-Markdown extension (no Pelican here), so it can be tested and reused on its own.
Four processors share one per-document state kept on the Markdown instance (tipboxes.state):

- a pre-pass keeps the page's lines as written, while line numbers are still the author's: the
  line-aware planner (syntax.Planner) reads them when the page needs it, to name a mistake with
  its line and plan ids and numbering;
- a block processor reads and renders each tip (both here);
- a tree processor, run after inline and smarty processing, collects plain-text data into
  `md.tips` for templates, feeds and structured data (tipboxes.collect);
- a postprocessor puts the heading's fixed HTML (icon, kind, number, permalink) in place
  (tipboxes.fragments).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown, util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from tipboxes.collect import TipCollectTreeprocessor
from tipboxes.fragments import MARK_ATTRIBUTE, TipFragmentPostprocessor, heading_marker
from tipboxes.state import RenderedTip, TipState
from tipboxes.syntax import (
    CLOSER_RE,
    HEADER_RE,
    KINDS,
    OPTION_RE,
    Planned,
    Planner,
    TipSyntaxError,
    tip_id,
    well_formed_option,
)

# ACTION_LABEL starts a box's action line. Tip is not used here: it lived here before
# tipboxes.tip, Pelican's content cache of an earlier build pickled each article's tips as
# tipboxes.extension.Tip, and code that imported it from here still can.
from tipboxes.tip import ACTION_LABEL, Tip

__all__ = ["Tip", "TipBoxExtension", "TipSyntaxError", "makeExtension"]


class TipPlanPreprocessor(Preprocessor):
    """Counts the page's "///" and keeps its lines as written, for the planner to read if the
    page needs it (tipboxes.state): later preprocessors change both."""

    NAME = "tipbox_plan"
    # After whitespace normalising (30), before Pelican's metadata (27) and fenced code (25).
    PRIORITY = 28

    def __init__(self, md: Markdown, state: TipState, id_prefix: str) -> None:
        super().__init__(md)
        self.state = state
        self.id_prefix = id_prefix

    def run(self, lines: list[str]) -> list[str]:
        _refuse_pymdownx_blocks(self.md)  # loaded after tip boxes: seen only now
        text = "\n".join(lines)
        slashes = text.count("///")
        if not slashes:
            self.state.start([])  # no tip syntax at all (a summary, most pages): nothing to plan
            return lines
        # Planned only if reading the page calls for it (see tipboxes.state), from these lines
        # as they are now: later preprocessors change the list (metadata is taken off it).
        as_written = lines.copy()
        self.state.expect(slashes, lambda: self._plan(as_written))
        return lines

    def _plan(self, lines: list[str]) -> list[Planned]:
        code_lines = self._code_lines("\n".join(lines))
        return Planner(code_lines, self.id_prefix).plan(lines)

    def _code_lines(self, text: str) -> set[int]:
        """Lines inside fenced code, found exactly as the fenced-code extension will find them."""
        # No fence at all: nothing to find. The one-character tests are memchr-fast; a search
        # for three characters took as long as the rest of the planning.
        if ("`" not in text or "```" not in text) and ("~" not in text or "~~~" not in text):
            return set()
        if "fenced_code_block" not in self.md.preprocessors:
            return set()
        fence = getattr(self.md.preprocessors["fenced_code_block"], "FENCED_BLOCK_RE", None)
        if fence is None:
            return set()
        found: set[int] = set()
        for match in fence.finditer(text):
            first = text.count("\n", 0, match.start()) + 1
            last = text.count("\n", 0, match.end()) + 1
            found.update(range(first, last + 1))
        return found


class TipBlockProcessor(BlockProcessor):
    """Renders a tip, read alone or held to the plan: heading, body parsed as Markdown, and the
    optional action."""

    NAME = "tipbox"
    # Right after list indentation (90), which hands a list item's indented lines back to the
    # parser, and before indented code (80) and every other block processor: a block holding a
    # tip's header is the tip's, whichever of its lines the header is on.
    PRIORITY = 89.995

    def __init__(
        self, parser: BlockParser, state: TipState, heading_level: int, id_prefix: str
    ) -> None:
        super().__init__(parser)
        self.state = state
        self.heading_level = heading_level
        self.id_prefix = id_prefix
        self._found: tuple[str, re.Match[str] | None] = ("", None)

    def test(self, parent: etree.Element, block: str) -> bool:
        # Asked of every block of every page: the substring test answers most of them.
        if "///" not in block:
            return False
        header = _tip_header(block)
        self._found = (block, header)  # for run(), which the parser calls next with this block
        return header is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        chunk = blocks.pop(0)
        found_in, header = self._found
        if found_in is not chunk:
            header = _tip_header(chunk)
        assert header is not None  # test() found it
        before = chunk[: header.start()].rstrip("\n")
        if before:
            self.parser.parseBlocks(parent, [before])
        kind, title = header["name"].lower(), (header["title"] or "").strip()
        rest = chunk[header.end() :].lstrip("\n")
        read = self._read_alone(parent, header, kind, title, rest) if self.state.unplanned else None
        if read is None:
            planned = self.state.claim(kind, title)
            while OPTION_RE.match(rest):  # the planner has read them
                end = rest.find("\n")
                rest = "" if end == -1 else rest[end + 1 :]
        else:
            planned, rest, slashes = read
        body_blocks, closer, after = self._collect(rest, blocks, planned)
        if read is not None:
            if any(block.strip() for block in body_blocks):
                self.state.accept(planned, slashes + closer.count("///"))
            else:  # the planner names the mistake
                planned = self.state.claim(kind, title)
        if after:
            blocks.insert(0, after)
        self.state.rendered.append(self._render(parent, planned, body_blocks))

    def _read_alone(
        self, parent: etree.Element, header: re.Match[str], kind: str, title: str, rest: str
    ) -> tuple[Planned, str, int] | None:
        """The tip read from its block alone, when that is what the planner would plan: a
        title, options the planner accepts and an id no tip took, at the top of the document.
        Returns the tip, the block after its options and the "///" its lines hold so far;
        None when only the planner can say (see tipboxes.state)."""
        if parent is not self.parser.root or not title:
            return None
        options: dict[str, str] = {}
        slashes = header.group(0).count("///")
        while rest.startswith("    "):  # an option line: indented, right under the header
            end = rest.find("\n")
            line = rest if end == -1 else rest[:end]
            option = well_formed_option(line)
            if option is None or option[0] in options:
                return None
            options[option[0]] = option[1]
            slashes += line.count("///")
            rest = "" if end == -1 else rest[end + 1 :]
        given = tip_id(title, options, self.id_prefix)
        if not given or self.state.id_taken(given):
            return None
        planned = Planned(None, kind, title, len(header["slashes"]), options, id=given)
        return planned, rest, slashes

    def _collect(
        self, first: str, blocks: list[str], planned: Planned
    ) -> tuple[list[str], str, str]:
        """The body's blocks up to the closing line, that line, and whatever follows it."""
        body: list[str] = []
        pending = first
        while True:
            if closer := _closer_in(pending, planned.slashes):
                inside = pending[: closer.start()].rstrip("\n")
                if inside:
                    body.append(inside)
                return body, closer.group(0), pending[closer.end() :].lstrip("\n")
            if pending:
                body.append(pending)
            if not blocks:  # the planner reports this first, with the same words
                if planned.line is None:
                    planned = self.state.claim(planned.kind, planned.title)
                raise TipSyntaxError(
                    planned.line,
                    f'the tip "{planned.title}" is never closed. End it with a line containing '
                    f'only "{"/" * planned.slashes}".',
                )
            pending = blocks.pop(0)

    def _render(self, parent: etree.Element, planned: Planned, body: list[str]) -> RenderedTip:
        """The box: an aside holding the heading, the body's blocks and the optional action.

        Only the title, the body and the action are the author's Markdown. The heading's icon,
        kind, number and permalink go in as ready HTML after serialising (a marker attribute
        says where), and the title and the body have no wrapper elements of their own: every
        element goes through all of Markdown's later passes.
        """
        tip_id = planned.id
        aside = etree.SubElement(parent, "aside")  # its attributes: see fragments.aside_tag
        heading = etree.SubElement(
            aside,
            f"h{self.heading_level}",
            {
                "class": "tip__heading",
                MARK_ATTRIBUTE: heading_marker(len(self.state.rendered)),
                "id": f"{tip_id}-title",
            },
        )
        # The title is the heading's whole text, read by inline patterns as any heading's is.
        # Only attr_list would read "{: ...}" at its end as the heading's own attributes (its id
        # too, which the box is labelled by), so the closing brace is escaped to stay text.
        title = planned.title
        if title.endswith("}") and not title.endswith("\\}"):
            title = title[:-1] + "\\}"
        heading.text = title
        self.parser.parseBlocks(aside, body)
        action = None
        if "action" in planned.options:
            action = etree.SubElement(aside, "p", {"class": "tip__action"})
            strong = etree.SubElement(action, "strong")
            strong.text = util.AtomicString(ACTION_LABEL)
            strong.tail = " " + planned.options["action"]
        return RenderedTip(planned, aside, heading, action)


def _closer_in(block: str, slashes: int) -> re.Match[str] | None:
    """The first line of `block` that closes a tip opened with `slashes` slashes."""
    for start in _slash_lines(block):
        closer = CLOSER_RE.match(block, start)
        if closer is not None and len(closer["slashes"]) == slashes:
            return closer
    return None


def _tip_header(block: str) -> re.Match[str] | None:
    """The first line of `block` that opens a tip: a header naming one of the kinds."""
    for start in _slash_lines(block):
        header = HEADER_RE.match(block, start)
        if header is not None and header["name"].lower() in KINDS:
            return header
    return None


def _slash_lines(block: str) -> list[int]:
    """Where each line of `block` holding "///" starts: only such lines can open or close a
    tip, and the grammar's patterns match at a line's start (a search would try every position
    of every paragraph of a tip's body)."""
    starts = []
    at = block.find("///")
    while at != -1:
        starts.append(block.rfind("\n", 0, at) + 1)
        end = block.find("\n", at)
        at = -1 if end == -1 else block.find("///", end)
    return starts


def _refuse_pymdownx_blocks(md: Markdown) -> None:
    """Refuse to share a Markdown instance with pymdownx.blocks, which also reads "///" lines.

    Each would take the other's blocks for its own (its admonitions answer to "tip" and
    "warning" too), so the mix would misrender pages instead of failing. pymdownx.blocks and
    every block built on it run through one block processor it registers as "blocks".
    """
    if "blocks" in md.parser.blockprocessors:
        raise ValueError(
            'tipboxes.extension and pymdownx.blocks (the "blocks" block processor) both read '
            '"///" blocks and cannot be loaded together. Remove one of them from the Markdown '
            "extensions."
        )


class TipBoxExtension(Extension):
    """Registers the tip box processors; holds configuration only, never per-document state."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "heading_level": [2, "Heading level (1-6) of each tip's title."],
            "id_prefix": [
                "tip-",
                "Prefix of the ids made from titles; explicit ids are kept as given.",
            ],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        level = int(self.getConfig("heading_level"))
        if not 1 <= level <= 6:
            raise ValueError(f"tipbox heading_level must be 1 to 6, not {level}.")
        _refuse_pymdownx_blocks(md)  # loaded before tip boxes: seen now, before any page
        state = TipState(md)
        md.registerExtension(state)  # type: ignore[arg-type]  # md.reset() calls state.reset()
        md.preprocessors.register(
            TipPlanPreprocessor(md, state, str(self.getConfig("id_prefix"))),
            TipPlanPreprocessor.NAME,
            TipPlanPreprocessor.PRIORITY,
        )
        md.parser.blockprocessors.register(
            TipBlockProcessor(md.parser, state, level, str(self.getConfig("id_prefix"))),
            TipBlockProcessor.NAME,
            TipBlockProcessor.PRIORITY,
        )
        md.treeprocessors.register(
            TipCollectTreeprocessor(md, state),
            TipCollectTreeprocessor.NAME,
            TipCollectTreeprocessor.PRIORITY,
        )
        md.postprocessors.register(
            TipFragmentPostprocessor(md, state),
            TipFragmentPostprocessor.NAME,
            TipFragmentPostprocessor.PRIORITY,
        )


def makeExtension(**kwargs: Any) -> TipBoxExtension:
    return TipBoxExtension(**kwargs)
