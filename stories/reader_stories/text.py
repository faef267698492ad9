"""The one definition of reader text we accept, shared by the intake, the importers, rendering
and publishing, so every way into and out of the store sees reader text the same way.

Accepted text is:

- Unicode-normalised (NFC) with Unix newlines;
- free of characters that show nothing yet can reorder or disguise text: bidi embeddings,
  overrides and isolates ("Trojan Source"), zero-width spaces, fillers, tags. ``normalise``
  removes them, so a reader never has to hunt for a character they cannot see. The joiners
  (ZWJ, ZWNJ) stay only between two non-ASCII characters, where emoji and some scripts need
  them, and the plain direction marks (LRM, RLM, ALM) stay, since right-to-left writers need
  them and they cannot reorder text;
- free of control characters (line break and tab aside), lone surrogates and noncharacters
  such as U+FFFF: together more than XML 1.0 forbids, so a feed always parses;
- without more than ``MARKS_MAX`` combining marks on one character, or a mark with no
  character under it (at the start or after a space), so no text spills over its neighbours
  on a page.

``first_problem`` tells what keeps text from being accepted, ``clean`` makes any text accepted
(for imports, which must not fail on one odd character), and ``fold`` is the form compared for
sameness.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# Accents in Vietnamese or Hebrew points stack two or three deep; "Zalgo" text stacks dozens.
MARKS_MAX = 4

# Embeddings, overrides and isolates can reorder how text displays ("Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
JOINERS = "\u200c\u200d"

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt), which the standard library
# does not expose: characters drawn as nothing, ignored when comparing what text looks like.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# The ignorables that normalise removes: all of them but the direction marks (LRM, RLM, ALM),
# the joiners (handled apart) and the variation selectors, which pick a glyph for the character
# before them (the emoji form of a heart, say) and count as marks.
_UNSEEN_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180E, 0x180E),
    (0x200B, 0x200B),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE00FF),
    (0xE01F0, 0xE0FFF),
)
# Controls other than tab and line feed, lone surrogates, the 66 noncharacters, and the bidi
# controls (which normalise removes, but text that skipped it must not carry them out).
_FORBIDDEN_RANGES = (
    (0x00, 0x08),
    (0x0B, 0x1F),
    (0x7F, 0x9F),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
    (0xD800, 0xDFFF),
    (0xFDD0, 0xFDEF),
    *((plane + 0xFFFE, plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)),
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]"


_IGNORABLE_RE = re.compile(_char_class(_IGNORABLE_RANGES))
_UNSEEN_RE = re.compile(_char_class(_UNSEEN_RANGES))
_FORBIDDEN_RE = re.compile(_char_class(_FORBIDDEN_RANGES))
# The same for ASCII text, ten times faster than the full class.
_ASCII_FORBIDDEN_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A joiner is kept only with a non-ASCII, non-space character on each side that is no joiner.
_JOINS = rf"[^\x00-\x7f\s{JOINERS}]"
_STRAY_JOINER_RE = re.compile(rf"(?<!{_JOINS})[{JOINERS}]|[{JOINERS}](?!{_JOINS})")
_SPACE_RE = re.compile(r"\s+")
# No combining mark comes before U+0300: below it, a character is never one.
_FIRST_MARK = "\u0300"
_FROM_FIRST_MARK_RE = re.compile("[\u0300-\U0010ffff]+")


class Trouble(StrEnum):
    """Why text is not accepted, one kind per message a reader gets."""

    CONTROL = "control"  # a control character or a lone surrogate
    NONCHARACTER = "noncharacter"  # U+FFFE, U+FFFF, U+FDD0 and their kin
    BIDI = "bidi"  # an embedding, override or isolate
    MARKS = "marks"  # too many marks on one character, or a mark on nothing


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with some text, and where: ``position`` counts from 1."""

    trouble: Trouble
    position: int
    char: str

    @property
    def code(self) -> str:
        """The character as Unicode names it ("U+FFFF"): the only way to point at the unseen."""
        return f"U+{ord(self.char):04X}"

    def __str__(self) -> str:
        """For operators and logs: "U+FFFF (a noncharacter) at character 12"."""
        return f"{self.code} ({_TROUBLES[self.trouble]}) at character {self.position:,}"


_TROUBLES = {
    Trouble.CONTROL: "a control character",
    Trouble.NONCHARACTER: "a noncharacter",
    Trouble.BIDI: "a bidi control",
    Trouble.MARKS: "a mark too many, or on no letter",
}


def is_noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _is_mark(char: str) -> bool:
    return char >= _FIRST_MARK and unicodedata.category(char)[0] == "M"


def normalise(text: str) -> str:
    """The canonical form we store and compare: Unix newlines, no unseen characters, NFC.

    NFC runs first too, so the joiners are judged by the characters they will sit between
    (U+212A KELVIN SIGN becomes an ASCII K), and again after the removals, which can bring a
    letter and its accent together.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSEEN_RE.sub("", unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFC", _STRAY_JOINER_RE.sub("", text))


def _overstacked(text: str) -> int | None:
    """Index of the first mark with no letter under it (at the start, after a space) or more
    than MARKS_MAX on one character.

    Only runs of characters from U+0300 on are looked at one by one: English with a curly quote
    costs next to nothing, and pages and feeds check every story they show.
    """
    for found in _FROM_FIRST_MARK_RE.finditer(text):
        start = found.start()
        based = start > 0 and not text[start - 1].isspace()
        run = 0
        for offset, char in enumerate(found.group()):
            if unicodedata.category(char)[0] != "M":
                run = 0
                based = not char.isspace()
                continue
            run += 1
            if not based or run > MARKS_MAX:
                return start + offset
    return None


def first_problem(text: str) -> Problem | None:
    """What keeps normalised text from being accepted, or None: it may be stored and shown."""
    plain = text.isascii()
    found = (_ASCII_FORBIDDEN_RE if plain else _FORBIDDEN_RE).search(text)
    if found is not None:
        char = found.group()
        if is_noncharacter(char):
            trouble = Trouble.NONCHARACTER
        elif char in BIDI_CONTROLS:
            trouble = Trouble.BIDI
        else:
            trouble = Trouble.CONTROL
        return Problem(trouble, found.start() + 1, char)
    index = None if plain else _overstacked(text)
    if index is not None:
        return Problem(Trouble.MARKS, index + 1, text[index])
    return None


def _trim_marks(text: str) -> str:
    if text.isascii():
        return text
    kept: list[str] = []
    run = 0
    based = False
    for char in text:
        if not _is_mark(char):
            run = 0
            based = not char.isspace()
        else:
            run += 1
            if not based or run > MARKS_MAX:
                continue
        kept.append(char)
    return "".join(kept)


def clean(text: str) -> str:
    """Any text made accepted by dropping what is not: for text that must not be refused.

    Each pass only removes characters, so the loop ends; it runs again because one removal can
    expose another (a joiner left at the start, a mark left without a letter).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    while True:
        cleaned = _trim_marks(normalise(_FORBIDDEN_RE.sub("", text)))
        if cleaned == text:
            return cleaned
        text = cleaned


def drop_ignorable(text: str) -> str:
    """Without any character drawn as nothing (Default_Ignorable_Code_Point)."""
    return _IGNORABLE_RE.sub("", text)


def fold(text: str) -> str:
    """The form compared for sameness: what the text shows, not how it was typed.

    Normalised, then without any character drawn as nothing (joiners, direction marks and
    variation selectors too), compatibility forms such as fullwidth letters or ligatures
    folded (NFKC), case folded, spacing collapsed and trimmed.
    """
    text = drop_ignorable(normalise(text))
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _SPACE_RE.sub(" ", text).strip()


def strip_controls(text: str) -> str:
    """Drop the characters accepted text never holds (controls, lone surrogates, noncharacters
    and bidi controls), for text that is not validated first (moderator edits)."""
    return _FORBIDDEN_RE.sub("", text)
