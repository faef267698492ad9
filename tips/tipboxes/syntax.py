"""What an author writes in a tip: its kinds, options and grammar, the errors, and the planner.

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

# The grammar of a tip, written once: the planner reads a page with these, and the block
# processor finds the same lines with them again inside Markdown's blocks. Each pattern reads
# one line: matched at the line's first character (`pattern.match(text, start)`), it ends where
# the line ends, "\n" or the end of the text, so it reads a line alone and a line within a block
# alike. A header's name is any word, for the planner to name an unknown kind; whether it is a
# kind is checked against KINDS.
HEADER_RE = re.compile(
    r" {0,3}(?P<slashes>/{3,})[ ]*(?P<name>[\w-]+)[ ]*(?:\|(?P<title>[^\n]*))?(?=\n|\Z)"
)
CLOSER_RE = re.compile(r" {0,3}(?P<slashes>/{3,})[ ]*(?=\n|\Z)")
# An option: a "key: value" line indented at least four spaces, right under the header.
# The value ends at its last character other than a space (a lazy "[^\n]*?" instead tried the
# line's end after every character: four times slower).
OPTION_RE = re.compile(r" {4,}(?P<key>[\w-]+)[ ]*:[ ]*(?P<value>(?:[^\n]*[^\n ])?)[ ]*(?=\n|\Z)")
ID_RE = re.compile(r"[^\W\d_][\w-]*")  # an id option's value, matched whole (fullmatch)
# Slashes at the margin that make neither header nor closer: a header gone wrong when a kind's
# name or a "|" follows them. Other such lines are prose to Python-Markdown and stay prose: the
# footnotes extension's own placeholder, "///Footnotes Go Here///", is one.
HEADER_ATTEMPT_RE = re.compile(
    rf" {{0,3}}/{{3,}}[ ]*(?:(?:{KIND_NAMES})(?![\w-])|[^\n|]*\|)", re.IGNORECASE
)
# A tip header behind list markers, quote markers or indentation, where no tip can start.
NESTED_TIP_RE = re.compile(
    rf"[ >]*(?:(?:[*+:-]|\d+[.)])[ ]+)?[ >]*/{{3,}}[ ]*(?:{KIND_NAMES})\b", re.IGNORECASE
)


class TipSyntaxError(ValueError):
    """A tip an author must fix; the message starts with the 1-based line of the Markdown source."""

    def __init__(self, line: int | None, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(problem if line is None else f"line {line}: {problem}")


@dataclass
class Planned:
    """A tip as the planner found it in the source, or as the block parser read it alone."""

    line: int | None  # None when read without the planner, which alone knows lines
    kind: str
    title: str
    slashes: int
    options: dict[str, str] = field(default_factory=dict)
    option_lines: dict[str, int] = field(default_factory=dict)
    has_body: bool = False
    id: str = ""


def slugify(text: str) -> str:
    """A readable, stable id fragment from a title as written: "Don't *Panic*!" -> "dont-panic"."""
    if _PLAIN_TITLE.fullmatch(text):  # most titles: what the rules below make of them
        return "-".join(text.lower().split())
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if "[" in text:
        text = _MARKDOWN_LINK.sub(r"\1", text)
    if not text.isascii():  # accents come off: "Café" -> "cafe"
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("'", "").replace("\u2019", "")  # "don't" -> "dont"
    return "-".join(_WORD.findall(text))


_PLAIN_TITLE = re.compile(r"[A-Za-z0-9 ]+")
_HTML_TAG = re.compile(r"<[^>]*>")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[^\W_]+")  # letters and digits: everything else joins words with "-"


def tip_id(title: str, options: dict[str, str], id_prefix: str) -> str:
    """The id a tip gets: its "id:" option, or the prefix and its title's slug; "" when it has
    neither (a title with no letter or digit, and no option)."""
    if "id" in options:
        return options["id"]
    slug = slugify(title)
    return id_prefix + slug if slug else ""


def well_formed_option(line: str) -> tuple[str, str] | None:
    """An option line's key and value, if the planner accepts it as it stands (a key given twice
    is the caller's to see); None for any line it refuses."""
    match = OPTION_RE.match(line)
    if match is None:
        return None
    key, value = match["key"], _unquote(match["value"])
    if key not in OPTIONS or not value or (key == "id" and not ID_RE.fullmatch(value)):
        return None
    return key, value


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


class Planner:
    """Walks the source line by line as Python-Markdown will parse it, and plans every tip.

    Only top-level lines can hold tips: fenced and indented code is skipped, and a tip inside a
    list, quote or indented block is refused with its line rather than silently shown as text.
    """

    # Markdown's own rule for a line starting a list item; an indented line after one continues
    # the list instead of starting indented code.
    LIST_RE = re.compile(r" {0,3}(?:[*+-]|\d+\.)[ ]+")

    def __init__(self, code_lines: set[int], id_prefix: str) -> None:
        self.code_lines = code_lines
        self.id_prefix = id_prefix
        self.lines: list[str] = []
        self.planned: list[Planned] = []
        self.open: Planned | None = None  # the tip opened and not yet closed
        self.body_from = 0  # the open tip's first line after its header and options
        self.options_of: Planned | None = None  # the tip whose option lines may follow
        self.previous_blank = True
        # The first line of the top-level chunk being read, if it may start a list ("" after
        # code, a header or a closer): an indented chunk after a list item continues the list.
        self.chunk_start = ""
        self.in_code_chunk = False

    def plan(self, lines: list[str]) -> list[Planned]:
        """Every tip of the page with its id, as the block parser will see it; raises on any
        mistake, naming its line.

        One walk over every line, with no quicker reading for well-formed pages beside it: the
        walk is a small part of a page's Markdown conversion, and one reading cannot disagree
        with itself.
        """
        self.lines = lines
        code_lines = self.code_lines
        for number, line in enumerate(lines, 1):
            if self.options_of is not None or number in code_lines:
                self._line(number, line)
            elif not line or line.isspace():
                self.previous_blank = True
            elif "///" in line or line.startswith("    "):
                self._line(number, line)
            else:  # ordinary prose: what _line does for it, without the call
                if self.previous_blank:
                    self.chunk_start = line
                    self.previous_blank = False
                self.in_code_chunk = False
        if self.open is not None:
            self._unclosed(self.open)
        self._assign_ids()
        return self.planned

    def _line(self, number: int, line: str) -> None:
        if number in self.code_lines:
            self.previous_blank = self.in_code_chunk = False
            self.chunk_start = ""
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
            self.chunk_start = line
        if "///" not in line:  # most lines: no header, closer or nested tip can be on them
            return
        if header := HEADER_RE.match(line):
            self._header(number, header)
        elif closer := CLOSER_RE.match(line):
            self._closer(number, len(closer["slashes"]))
        elif HEADER_ATTEMPT_RE.match(line):
            raise TipSyntaxError(
                number, 'cannot read this tip header. Write it as "/// tip | Title".'
            )
        else:
            self._refuse_nested(number, line)

    def _indented(self, number: int, line: str, starts_chunk: bool) -> None:
        """Indented code unless it continues a list or a paragraph, where a tip cannot start."""
        if starts_chunk:
            self.in_code_chunk = not self.LIST_RE.match(self.chunk_start)
        if not self.in_code_chunk:
            self._refuse_nested(number, line)

    def _refuse_nested(self, number: int, line: str) -> None:
        if "///" in line and (match := NESTED_TIP_RE.match(line)):
            kind = match.group(0).rsplit("/", 1)[1].strip().lower()
            raise TipSyntaxError(
                number,
                "this tip is indented or inside a list or quote, so it would not become a tip "
                f'box. Start "/// {kind} | Title" at the left margin.',
            )

    def _header(self, number: int, header: re.Match[str]) -> None:
        kind = header["name"].lower()
        if kind not in KINDS:
            raise TipSyntaxError(
                number, f'unknown tip kind "{header["name"]}". Use one of: {", ".join(KINDS)}.'
            )
        self.in_code_chunk = False
        self.chunk_start = ""
        slashes = len(header["slashes"])
        title = (header["title"] or "").strip()
        if self.open is not None:
            raise TipSyntaxError(
                number,
                f"a tip cannot start inside the tip opened at line {self.open.line}. "
                f'Close that one with "{"/" * self.open.slashes}" first.',
            )
        if not title:
            raise TipSyntaxError(
                number,
                f'this tip has no title. Write it after a bar: "{"/" * slashes} {kind} | Title".',
            )
        tip = Planned(number, kind, title, slashes)
        self.planned.append(tip)
        self.open = self.options_of = tip
        self.body_from = number + 1

    def _option(self, number: int, line: str, tip: Planned) -> None:
        match = OPTION_RE.match(line)
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
        if key == "id" and not ID_RE.fullmatch(value):
            raise TipSyntaxError(
                number,
                f'the id "{value}" cannot be used. An id starts with a letter and has only '
                "letters, digits, hyphens and underscores.",
            )
        tip.options[key] = value
        tip.option_lines[key] = number
        self.body_from = number + 1

    def _closer(self, number: int, slashes: int) -> None:
        tip = self.open
        if tip is None:
            raise TipSyntaxError(
                number,
                f'this "{"/" * slashes}" closes nothing. Remove it, or open a tip above it '
                'with "/// tip | Title".',
            )
        if slashes != tip.slashes:
            raise TipSyntaxError(
                number,
                f'"{"/" * slashes}" does not match the "{"/" * tip.slashes}" that opened the '
                f'tip at line {tip.line}. Close it with "{"/" * tip.slashes}".',
            )
        self.open = self.options_of = None
        self.in_code_chunk = False
        self.chunk_start = ""
        # Every line between the header (and its options) and here was read as the body: code,
        # prose or an indented line, each of which has a character other than whitespace.
        tip.has_body = bool("".join(self.lines[self.body_from - 1 : number - 1]).strip())
        if not tip.has_body:
            raise TipSyntaxError(
                tip.line,
                f'the tip "{tip.title}" has no body. Write at least one sentence between '
                f'its header and the closing "{"/" * slashes}".',
            )

    def _unclosed(self, tip: Planned) -> None:
        raise TipSyntaxError(
            tip.line,
            f'the tip "{tip.title}" is never closed. End it with a line containing only '
            f'"{"/" * tip.slashes}".',
        )

    def _assign_ids(self) -> None:
        used: dict[str, int] = {}  # each id and its heading's id, to the line of its tip
        for tip in self.planned:
            tip.id = tip_id(tip.title, tip.options, self.id_prefix)
            if not tip.id:
                self._no_id(tip)
            title_id = tip.id + "-title"
            if tip.id in used or title_id in used:
                self._clash(tip, tip.id if tip.id in used else title_id, used)
            used[tip.id] = used[title_id] = tip.line

    def _no_id(self, tip: Planned) -> None:
        raise TipSyntaxError(
            tip.line,
            f'the title "{tip.title}" has no letters or digits to make an id from. '
            'Add an option line "    id: your-id" under the header.',
        )

    def _clash(self, tip: Planned, taken: str, used: dict[str, int]) -> None:
        """Refuse a tip whose id, or its heading's, an earlier tip has: blame the line that made
        the id (its "id:" option, or its header) and say how to fix it."""
        if "id" in tip.options:
            line, fix = tip.option_lines["id"], 'Give this tip a different "id:" option.'
        else:
            line, fix = tip.line, 'Give this tip a different title, or an "id:" option.'
        raise TipSyntaxError(
            line, f'the id "{taken}" is already used by the tip at line {used[taken]}. {fix}'
        )
