"""Unicode clean-up shared by validation and rendering, so both see reader text the same way."""

from __future__ import annotations

import re
import unicodedata

# Embeddings, overrides and isolates can reorder how text displays ("Trojan Source");
# the plain marks (LRM, RLM, ALM) cannot and stay, since right-to-left writers need them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_ALLOWED_CONTROLS = frozenset("\n\t")
_SPACE_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, Unix newlines and no bidi overrides: the one canonical form we store and compare."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BIDI_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """The form compared for sameness: normalised, spacing collapsed, trimmed, case-folded."""
    return _SPACE_RE.sub(" ", normalise(text)).strip().casefold()


def is_control(char: str) -> bool:
    """True for C0/C1 controls other than newline and tab, and for lone surrogates.

    A lone surrogate cannot be encoded as UTF-8, so it could never be stored or shown.
    """
    return char not in _ALLOWED_CONTROLS and unicodedata.category(char) in {"Cc", "Cs"}


def has_controls(text: str) -> bool:
    """Whether the text holds a control character a reader could not have meant to type."""
    return any(is_control(char) for char in text)


def strip_controls(text: str) -> str:
    """Drop control characters, for text that is not validated first (moderator edits)."""
    return "".join(char for char in text if not is_control(char))
