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
    return minutes_for(word_count(html), words_per_minute)


def minutes_for(words: int, words_per_minute: int = 230) -> int:
    return max(1, math.ceil(words / words_per_minute))


def related(article: Tagged, candidates: Sequence[Tagged], limit: int = 3) -> list[Tagged]:
    """Articles sharing the most tags with `article`; ties keep the candidates' order."""
    return related_all(candidates, limit, [article])[0]


def related_all(
    articles: Sequence[Tagged], limit: int = 3, subjects: Sequence[Tagged] | None = None
) -> list[list[Tagged]]:
    """`related` for every subject at once, through a tag index instead of comparing all pairs.

    With a thousand articles, comparing every pair builds a million tag sets; the index only
    visits articles that share a tag.
    """
    by_tag: dict[str, list[int]] = {}
    for position, other in enumerate(articles):
        for tag in {str(tag) for tag in getattr(other, "tags", ()) or ()}:
            by_tag.setdefault(tag, []).append(position)
    results = []
    for subject in articles if subjects is None else subjects:
        shared: dict[int, int] = {}
        for tag in {str(tag) for tag in getattr(subject, "tags", ()) or ()}:
            for position in by_tag.get(tag, ()):
                shared[position] = shared.get(position, 0) + 1
        ranked = sorted(
            (position for position in shared if articles[position] is not subject),
            key=lambda position: (-shared[position], position),
        )
        results.append([articles[position] for position in ranked[:limit]])
    return results
