"""A text's shape: what stays the same when a spammer varies a template.

Links, numbers, case, punctuation and spacing are left out, so "Visit bit.ly/a1 now!!" and
"visit bit.ly/zz9 now" have one shape. Stored for a day per story (store/spam.py), it finds the
same or nearly the same text sent to several articles.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# A word with a scheme, "www." or a dot between letters is an address, left out whole.
_LINK_RE = re.compile(r"\S*(?:://|www\.|[^\W\d_]\.[^\W\d_])\S*")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# Shorter than this, two readers' texts can share a shape by chance ("Thank you so much!").
MIN_SHAPE_LETTERS = 40


def text_shape(markdown: str) -> str | None:
    """The shape's hash, or None when the text is too short to tell one writer from another."""
    words = _LETTERS_RE.findall(
        _LINK_RE.sub(" ", unicodedata.normalize("NFKC", markdown).casefold())
    )
    letters = sum(len(word) for word in words)
    if letters < MIN_SHAPE_LETTERS:
        return None
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
