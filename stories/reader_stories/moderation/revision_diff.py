"""What a writer's change changes, word by word, for the moderator who decides on it.

The admin shows the pieces as struck-out and inserted words; the command line writes them as
``[-removed-]`` and ``{+added+}``, the way ``git diff --word-diff`` does.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

_WORDS_RE = re.compile(r"\s+|\S+\s*")  # each word with the spaces after it


class Part(StrEnum):
    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class Piece:
    part: Part
    text: str


def _trailing_space(text: str) -> tuple[str, str]:
    words = text.rstrip()
    return words, text[len(words) :]


def word_diff(before: str, after: str) -> list[Piece]:
    """The text after the change as pieces kept, removed and added, spaces included. A
    changed piece holds words only: the space after it is kept as it is, so the pieces read
    "went [removed: badly][added: well,] and"."""
    old, new = _WORDS_RE.findall(before), _WORDS_RE.findall(after)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece(Part.SAME, "".join(old[i1:i2])))
            continue
        removed, space_before = _trailing_space("".join(old[i1:i2]))
        added, space_after = _trailing_space("".join(new[j1:j2]))
        if removed:
            pieces.append(Piece(Part.REMOVED, removed))
        if added:
            pieces.append(Piece(Part.ADDED, added))
        space = space_after if j2 > j1 else space_before
        if space:
            pieces.append(Piece(Part.SAME, space))
    return pieces


def word_diff_text(before: str, after: str) -> str:
    """The word diff as plain text, for the command line."""
    marks = {Part.SAME: "{}", Part.REMOVED: "[-{}-]", Part.ADDED: "{{+{}+}}"}
    return "".join(marks[piece.part].format(piece.text) for piece in word_diff(before, after))
