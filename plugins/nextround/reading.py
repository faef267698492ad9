"""Reading time, related articles and neighbours: plain functions over plain objects."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Protocol

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


class Tagged(Protocol):
    tags: Sequence[Any]


def word_count(html: str) -> int:
    """Count the words a reader sees, ignoring markup."""
    return len(_WORD.findall(_TAG.sub(" ", html)))


def reading_minutes(html: str, words_per_minute: int = 230) -> int:
    """Whole minutes to read, never less than one."""
    return max(1, math.ceil(word_count(html) / words_per_minute))


def related(article: Tagged, candidates: Sequence[Tagged], limit: int = 3) -> list[Tagged]:
    """Articles sharing the most tags with `article`; ties keep the candidates' order."""
    own = {str(tag) for tag in getattr(article, "tags", ()) or ()}
    scored = []
    for position, other in enumerate(candidates):
        if other is article:
            continue
        shared = len(own & {str(tag) for tag in getattr(other, "tags", ()) or ()})
        if shared:
            scored.append((-shared, position, other))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [other for _, _, other in scored[:limit]]
