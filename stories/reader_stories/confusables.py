"""Unicode's TR39 skeleton: two strings that look alike have the same skeleton.

Implemented here over Unicode's own data (data/confusables.txt, version 17.0.0) rather than
taken from a library: of the packages on PyPI, confusable-homoglyphs (the maintained one) has
no skeleton and keeps the mappings without their direction, confusables has not been updated
since Unicode 8.0, and disarm, which has one, is a young beta whose keys deliberately depart
from the standard's and change between releases. The algorithm itself is four steps.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files

from reader_stories.text import drop_ignorable

DATA_FILE = "confusables.txt"


@cache
def prototypes() -> dict[int, str]:
    """Each confusable character's prototype, read once (a few milliseconds) on first use."""
    table: dict[int, str] = {}
    text = files("reader_stories").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            source, prototype = line.split("\t")
            table[int(source, 16)] = "".join(chr(int(code, 16)) for code in prototype.split())
    return table


def skeleton(text: str) -> str:
    """TR39 section 4: NFD, default-ignorable characters removed, each character replaced by
    its prototype, NFD again."""
    decomposed = drop_ignorable(unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", decomposed.translate(prototypes()))
