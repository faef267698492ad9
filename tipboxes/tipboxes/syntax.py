"""What an author writes in a tip: its kinds and options, the errors, and the planner.

The planner reads a page's source line by line, as Python-Markdown will parse it, before any
parsing: only then are line numbers still the author's, so every mistake can be named with its
line. It also gives each tip its id and place in the page's numbering.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple


class Kind(NamedTuple):
    label: str
    icon: str


# Text symbols found in ordinary system fonts, not emoji: they render on every device and in
# every feed reader, where colour emoji often show as empty boxes.
KINDS: dict[str, Kind] = {
    "tip": Kind("Tip", "\N{BLACK STAR}"),
    "warning": Kind("Don\N{RIGHT SINGLE QUOTATION MARK}t", "\N{BALLOT X}"),
    "example": Kind("Example", "\N{LOWER RIGHT PENCIL}"),
    "action": Kind("Action", "\N{HEAVY ROUND-TIPPED RIGHTWARDS ARROW}"),
}
OPTIONS = ("id", "action")
KIND_NAMES = "|".join(KINDS)


class TipSyntaxError(ValueError):
    """A tip an author must fix; the message starts with the 1-based line of the Markdown source."""

    def __init__(self, line: int | None, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(problem if line is None else f"line {line}: {problem}")


@dataclass
class Planned:
    """A tip as the pre-pass found it in the source."""

    line: int
    kind: str
    title: str
    slashes: int
    options: dict[str, str] = field(default_factory=dict)
    option_lines: dict[str, int] = field(default_factory=dict)
    has_body: bool = False
    id: str = ""


@dataclass
class _Open:
    """A "///" block that has been opened and not yet closed; `tip` is None for other blocks."""

    name: str
    slashes: int
    line: int
    tip: Planned | None


def slugify(text: str) -> str:
    """A readable, stable id fragment from a title as written: "Don't *Panic*!" -> "dont-panic"."""
    if _PLAIN_TITLE.fullmatch(text):  # most titles: what the rules below make of them
        return "-".join(text.lower().split())
    text = _MARKDOWN_LINK.sub(r"\1", _HTML_TAG.sub("", text))
    if not text.isascii():  # accents come off: "Café" -> "cafe"
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub("-", text).strip("-")


_PLAIN_TITLE = re.compile(r"[A-Za-z0-9 ]+")
_HTML_TAG = re.compile(r"<[^>]*>")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_APOSTROPHES = re.compile(r"['\u2019]")
_NON_WORD = re.compile(r"[\W_]+")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


class Planner:
    """Walks the source line by line as Python-Markdown will parse it, and plans every tip.

    Only top-level lines can hold tips: fenced and indented code is skipped, and a tip inside a
    list, quote or indented block is refused with its line rather than silently shown as text.
    """

    HEADER_RE = re.compile(
        r"^ {0,3}(?P<slashes>/{3,})[ ]*(?P<name>[\w-]+)[ ]*(?:\|(?P<title>.*))?$"
    )
    CLOSER_RE = re.compile(r"^ {0,3}(?P<slashes>/{3,})[ ]*$")
    SLASHES_RE = re.compile(r"^ {0,3}/{3,}")
    NESTED_TIP_RE = re.compile(
        rf"^[ >]*(?:(?:[*+:-]|\d+[.)])[ ]+)?[ >]*/{{3,}}[ ]*(?:{KIND_NAMES})\b", re.IGNORECASE
    )
    OPTION_RE = re.compile(r"^ {4,}(?P<key>[\w-]+)[ ]*:[ ]*(?P<value>.*?)[ ]*$")
    LIST_RE = re.compile(r"^ {0,3}(?:[*+-]|\d+\.)[ ]+")
    ID_RE = re.compile(r"^[^\W\d_][\w-]*$")

    def __init__(self, code_lines: set[int], other_blocks: set[str], id_prefix: str) -> None:
        self.code_lines = code_lines
        self.other_blocks = other_blocks
        self.id_prefix = id_prefix
        self.planned: list[Planned] = []
        self.stack: list[_Open] = []
        self.options_of: _Open | None = None
        self.previous_blank = True
        self.after_list = False
        self.in_code_chunk = False

    def plan(self, lines: list[str]) -> list[Planned]:
        planned = None
        if not self.code_lines and not self.other_blocks:
            planned = self.plan_well_formed(lines)
        if planned is None:
            planned = self.walk(lines)
        self.planned = planned
        self._assign_ids()
        return planned

    def plan_well_formed(self, lines: list[str]) -> list[Planned] | None:
        """The plan read from the "///" and indented lines alone, for pages in the usual shape.

        Usual: every tip opens and closes on a line of its own outside lists and quotes, with
        its options right under the header, and no other line is indented or holds "///". With
        no code and no other blocks (the caller checks), such a page gives `walk` nothing else
        to decide, so both find the same plan; the test suite holds them equal. Anything else
        returns None and `walk` decides, naming any mistake. Most pages are usual, and this
        looks at a handful of lines instead of every one.
        """
        marked = [
            (number, line)
            for number, line in enumerate(lines, 1)
            if "///" in line or line.startswith("    ")
        ]
        planned: list[Planned] = []
        opened: _Open | None = None
        previous = 0  # the open tip's header line, or its last option line
        for number, line in marked:
            if line.startswith("    "):
                if opened is None or number != previous + 1:
                    return None
                try:
                    self._option(number, line, opened)
                except TipSyntaxError:
                    return None
                previous = number
            elif opened is None:
                header = self.HEADER_RE.match(line)
                if header is None:
                    return None
                kind, title = header["name"].lower(), (header["title"] or "").strip()
                if kind not in KINDS or not title:
                    return None
                tip = Planned(number, kind, title, len(header["slashes"]))
                opened, previous = _Open(kind, tip.slashes, number, tip), number
            else:
                closer = self.CLOSER_RE.match(line)
                if closer is None or len(closer["slashes"]) != opened.slashes:
                    return None
                if not "".join(lines[previous : number - 1]).strip():  # no body
                    return None
                assert opened.tip is not None
                opened.tip.has_body = True
                planned.append(opened.tip)
                opened = None
        return None if opened is not None else planned

    def walk(self, lines: list[str]) -> list[Planned]:
        """The plan from every line, as the block parser will see it; raises on any mistake."""
        for number, line in enumerate(lines, 1):
            if number in self.code_lines or self.options_of is not None:
                self._line(number, line)
            elif not line or line.isspace():
                self.previous_blank = True
            elif "///" in line or line.startswith("    "):
                self._line(number, line)
            else:  # ordinary prose: what _line does for it, without the call
                if self.previous_blank:
                    self.after_list = bool(self.LIST_RE.match(line))
                self.previous_blank = self.in_code_chunk = False
                self._content()
        if self.stack:
            self._unclosed(self.stack[-1])
        return self.planned

    def _line(self, number: int, line: str) -> None:
        if number in self.code_lines:
            self._content()
            self.previous_blank = self.after_list = self.in_code_chunk = False
            self.options_of = None
            return
        if not line.strip():
            self.previous_blank = True
            self.options_of = None
            return
        starts_chunk, self.previous_blank = self.previous_blank, False
        indent = len(line) - len(line.lstrip(" "))
        if self.options_of is not None:
            if indent >= 4:
                self._option(number, line, self.options_of)
                return
            self.options_of = None
        if indent >= 4:
            self._indented(number, line, starts_chunk)
            return
        self.in_code_chunk = False
        if starts_chunk:
            self.after_list = bool(self.LIST_RE.match(line))
        if "///" not in line:  # most lines: no header, closer or nested tip can be on them
            self._content()
            return
        if header := self.HEADER_RE.match(line):
            self._header(number, header)
        elif closer := self.CLOSER_RE.match(line):
            self._closer(number, len(closer["slashes"]))
        elif self.SLASHES_RE.match(line):
            raise TipSyntaxError(
                number, 'cannot read this tip header. Write it as "/// tip | Title".'
            )
        else:
            self._refuse_nested(number, line)
            self._content()

    def _indented(self, number: int, line: str, starts_chunk: bool) -> None:
        """Indented code unless it continues a list or a paragraph, where a tip cannot start."""
        if starts_chunk:
            self.in_code_chunk = not self.after_list
        if not self.in_code_chunk:
            self._refuse_nested(number, line)
        self._content()

    def _refuse_nested(self, number: int, line: str) -> None:
        if "///" in line and (match := self.NESTED_TIP_RE.match(line)):
            kind = match.group(0).rsplit("/", 1)[1].strip().lower()
            raise TipSyntaxError(
                number,
                "this tip is indented or inside a list or quote, so it would not become a tip "
                f'box. Start "/// {kind} | Title" at the left margin.',
            )

    def _content(self) -> None:
        if self.stack and self.stack[0].tip is not None:
            self.stack[0].tip.has_body = True

    def _header(self, number: int, header: re.Match[str]) -> None:
        name = header["name"].lower()
        slashes = len(header["slashes"])
        self.after_list = self.in_code_chunk = False
        if name in KINDS:
            self._open_tip(number, name, slashes, (header["title"] or "").strip())
        elif name in self.other_blocks:
            for block in self.stack:
                if block.slashes == slashes:
                    raise TipSyntaxError(
                        number,
                        f'this "{name}" block is inside the block opened at line {block.line} '
                        "with the same number of slashes. Give the outer block more, "
                        f'e.g. "{"/" * (slashes + 1)}".',
                    )
            self._content()
            self.stack.append(_Open(name, slashes, number, None))
            self.options_of = self.stack[-1]
        else:
            raise TipSyntaxError(
                number, f'unknown tip kind "{header["name"]}". Use one of: {", ".join(KINDS)}.'
            )

    def _open_tip(self, number: int, kind: str, slashes: int, title: str) -> None:
        if self.stack:
            outer = self.stack[0]
            what = "tip" if outer.tip is not None else f'"{outer.name}" block'
            raise TipSyntaxError(
                number,
                f"a tip cannot start inside the {what} opened at line {outer.line}. "
                f'Close that one with "{"/" * outer.slashes}" first.',
            )
        if not title:
            raise TipSyntaxError(
                number,
                f'this tip has no title. Write it after a bar: "{"/" * slashes} {kind} | Title".',
            )
        tip = Planned(number, kind, title, slashes)
        self.planned.append(tip)
        self.stack.append(_Open(kind, slashes, number, tip))
        self.options_of = self.stack[-1]

    def _option(self, number: int, line: str, block: _Open) -> None:
        tip = block.tip
        if tip is None:  # another extension's block reads its own options
            return
        match = self.OPTION_RE.match(line)
        if match is None:
            raise TipSyntaxError(
                number,
                f"cannot read this option of the tip at line {tip.line}. "
                'Write each option as an indented "key: value" line.',
            )
        key, value = match["key"], _unquote(match["value"])
        if key not in OPTIONS:
            raise TipSyntaxError(
                number,
                f'unknown option "{key}" in the tip at line {tip.line}. '
                f"Use one of: {', '.join(OPTIONS)}.",
            )
        if key in tip.options:
            raise TipSyntaxError(
                number,
                f'the option "{key}" is given twice in the tip at line {tip.line}. Keep one.',
            )
        if not value:
            raise TipSyntaxError(
                number, f'the option "{key}" in the tip at line {tip.line} has no value.'
            )
        if key == "id" and not self.ID_RE.match(value):
            raise TipSyntaxError(
                number,
                f'the id "{value}" cannot be used. An id starts with a letter and has only '
                "letters, digits, hyphens and underscores.",
            )
        tip.options[key] = value
        tip.option_lines[key] = number

    def _closer(self, number: int, slashes: int) -> None:
        if not self.stack:
            raise TipSyntaxError(
                number,
                f'this "{"/" * slashes}" closes nothing. Remove it, or open a tip above it '
                'with "/// tip | Title".',
            )
        block = self.stack[-1]
        if slashes != block.slashes:
            raise TipSyntaxError(
                number,
                f'"{"/" * slashes}" does not match the "{"/" * block.slashes}" that opened the '
                f"{'tip' if block.tip else 'block'} at line {block.line}. "
                f'Close it with "{"/" * block.slashes}".',
            )
        self.stack.pop()
        self.options_of = None
        self.after_list = self.in_code_chunk = False
        if block.tip is not None and not block.tip.has_body:
            raise TipSyntaxError(
                block.line,
                f'the tip "{block.tip.title}" has no body. Write at least one sentence between '
                f'its header and the closing "{"/" * slashes}".',
            )
        self._content()

    def _unclosed(self, block: _Open) -> None:
        what = f'the tip "{block.tip.title}"' if block.tip else f'the "{block.name}" block'
        raise TipSyntaxError(
            block.line,
            f'{what} is never closed. End it with a line containing only "{"/" * block.slashes}".',
        )

    def _assign_ids(self) -> None:
        used: dict[str, int] = {}
        for tip in self.planned:
            line, fix = self._assign_id(tip)
            for candidate in (tip.id, f"{tip.id}-title"):
                if candidate in used:
                    raise TipSyntaxError(
                        line,
                        f'the id "{candidate}" is already used by the tip at line '
                        f"{used[candidate]}. {fix}",
                    )
            used[tip.id] = used[f"{tip.id}-title"] = tip.line

    def _assign_id(self, tip: Planned) -> tuple[int, str]:
        """Set the tip's id; return the line to blame for a clash and how to fix it."""
        if "id" in tip.options:
            tip.id = tip.options["id"]
            return tip.option_lines["id"], 'Give this tip a different "id:" option.'
        slug = slugify(tip.title)
        if not slug:
            raise TipSyntaxError(
                tip.line,
                f'the title "{tip.title}" has no letters or digits to make an id from. '
                'Add an option line "    id: your-id" under the header.',
            )
        tip.id = self.id_prefix + slug
        return tip.line, 'Give this tip a different title, or an "id:" option.'
