"""What a moderator's name may be, and the two roles.

A name signs every action in a story's history, so it is short plain text that reads well
there: letters, digits, spaces and a few marks, never a control character or markup. Names are
unique without regard to case.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

NAME_MAX = 40
# The account the single password of older installs (`comments.set-password`) logs in as.
LEGACY_OWNER = "owner"
# Names the history already gives to others: a reader's own change.
RESERVED = frozenset({"reader"})

_NAME_RE = re.compile(r"[^\W_][\w .'\-]*")
MSG_NAME = (
    "A moderator's name is 1 to {max} letters, digits, spaces, dots, hyphens, underscores or "
    "apostrophes, starting with a letter or digit; {name!r} is not one."
)
MSG_RESERVED = "{name!r} is how the history names someone else; choose another name."


class Role(StrEnum):
    """An owner also adds and removes moderators; a moderator moderates."""

    OWNER = "owner"
    MODERATOR = "moderator"


def check_name(text: str) -> str:
    """The name as it is kept (NFC, without surrounding spaces), or ValueError in words."""
    name = unicodedata.normalize("NFC", text).strip()
    if not (0 < len(name) <= NAME_MAX and _NAME_RE.fullmatch(name)) or "  " in name:
        raise ValueError(MSG_NAME.format(max=NAME_MAX, name=text))
    if name_key(name) in RESERVED:
        raise ValueError(MSG_RESERVED.format(name=name))
    return name


def name_key(name: str) -> str:
    """What makes two names the same account: "Mia" and "mia" are one."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def check_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValueError(f"A role is owner or moderator; {text!r} is neither.") from None
