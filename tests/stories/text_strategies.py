"""Hypothesis strategies for reader text, and the settings every property test here uses.

Any Unicode text, with the characters that have caused trouble (noncharacters, controls, lone
surrogates, bidi controls, invisible characters, stacked marks, character references, Markdown
punctuation) mixed in often enough that short runs meet them.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

# Modest runs keep the suite fast; no example database, so a run leaves no files behind.
PROPERTY = settings(max_examples=150, deadline=None, database=None)

TRICKY = (
    "\x00",
    "\x07",
    "\t",
    "\n",
    "\r",
    "\x85",
    "\ufffe",
    "\uffff",
    "\U0001fffe",
    "\ufdd0",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u2066",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u3164",
    "\U000e0041",
    "\u200f",
    "\u0301",
    "\u0301\u0301\u0301\u0301\u0301",
    "\u20dd",
    "\ufe0f",
    "\u212a",
    "e\u0301",
    "\U0001f469\u200d\U0001f4bb",
    "&#xFFFF;",
    "&#x202E;",
    "&#769;",
    "&amp;",
    "[",
    "](",
    "*",
    "_",
    "`",
    "<",
    ">",
    "> ",
    "- ",
    "http://",
    "www.",
    "a.",
    " ",
    "\n\n",
)

reader_char = st.one_of(st.characters(), st.sampled_from(TRICKY))


def reader_text(min_size: int = 0, max_size: int = 200) -> st.SearchStrategy[str]:
    """Text as a reader (or an attacker) might send it."""
    return st.lists(reader_char, min_size=min_size, max_size=max_size).map("".join)
