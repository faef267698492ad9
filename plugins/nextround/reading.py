"""Reading time, related articles and neighbours: plain functions over plain objects."""

from __future__ import annotations

import html as html_module
import math
import re
from collections.abc import Sequence
from itertools import combinations
from typing import Any, Protocol

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")  # a word; the joiners bind only between letters

# Characters outside ASCII that are common in prose and in our own markup, each with an ASCII
# character of its kind for _WORD: the joiner "'" for the curly apostrophe, a space for the
# rest, which are not word characters (tests/plugin/test_reading.py holds each to its kind).
_STAND_INS = (
    ("\u2019", "'"),
    *((char, " ") for char in "\u00a0\u2014\u2013\u201c\u201d\u2018\u2026\u00ab\u00bb\u2022"),
    *((char, " ") for char in "\u2605\u270e\u2717\u279c"),  # the tip boxes' icons
)
# Each ASCII character as a mark: "a" a word character, "j" a joiner, a space anything else
# (a translation table for bytes, whose upper half an ASCII text never reaches).
_MARKS = bytes(
    ord("a") if chr(code).isalnum() or chr(code) == "_" else ord("j") if chr(code) in "'-" else 32
    for code in range(256)
)


class Tagged(Protocol):
    tags: Sequence[Any]


def word_count(html: str) -> int:
    """Count the words a reader sees, ignoring markup: a character reference is the character
    it stands for ("Don&#8217;t" is one word, "&#9733;" none)."""
    return count_words(html_module.unescape(_TAG.sub(" ", html)))


def count_words(text: str) -> int:
    """How many times _WORD matches in `text`, counted in C when the text is ASCII once common
    punctuation is replaced (see _STAND_INS): the regular expression took 130 µs an article,
    the part of a build that grows with every word written."""
    plain = text
    if not plain.isascii():
        for char, stand_in in _STAND_INS:
            if char in plain:
                plain = plain.replace(char, stand_in)
        if not plain.isascii():  # letters beyond ASCII: what \w is, is Unicode's to say
            return len(_WORD.findall(text))
    marks = plain.encode("ascii").translate(_MARKS)
    while b"aja" in marks:  # a joiner between two word characters is part of the word
        marks = marks.replace(b"aja", b"aaa")
    return (b" " + marks.replace(b"j", b" ")).count(b" a")  # each word's first character


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

    Each subject's candidates are taken level by level: first the articles sharing all its
    tags, then all but one, and so on, each level as intersections of the index's position
    sets (done in C), stopping once `limit` are found. Counting every article that shares any
    tag made the work grow with the square of the number of articles.
    """
    by_tag: dict[str, set[int]] = {}
    positions_of: dict[int, list[int]] = {}
    for position, other in enumerate(articles):
        positions_of.setdefault(id(other), []).append(position)
        for tag in _tag_names(other):
            by_tag.setdefault(tag, set()).add(position)
    results = []
    for subject in articles if subjects is None else subjects:
        sets = [by_tag[tag] for tag in _tag_names(subject) if tag in by_tag]
        excluded = positions_of.get(id(subject), [])
        if len(sets) > MAX_TAGS_BY_LEVEL:
            ranked = _by_counting(sets, limit, excluded)
        else:
            ranked = _by_level(sets, limit, excluded)
        results.append([articles[position] for position in ranked])
    return results


# Levels take 2**tags - 1 intersections; an article with more tags than this is ranked by
# counting instead, which is the same ranking at a cost that does not depend on its tag count.
MAX_TAGS_BY_LEVEL = 6


def _tag_names(article: Tagged) -> set[str]:
    return {str(tag) for tag in getattr(article, "tags", ()) or ()}


def _by_level(sets: list[set[int]], limit: int, excluded: list[int]) -> list[int]:
    """Positions in the most of `sets`, lowest first within a level, at most `limit`."""
    chosen: list[int] = []
    taken = set(excluded)
    for size in range(len(sets), 0, -1):
        level: set[int] = set()
        for combination in combinations(sets, size):
            level |= set.intersection(*combination)
        # Every position in more sets was in an earlier level, all taken: a level that had
        # more than enough ended the loop.
        level -= taken
        best = sorted(level)[: limit - len(chosen)]
        chosen += best
        if len(chosen) >= limit:
            break
        taken.update(best)
    return chosen


def _by_counting(sets: list[set[int]], limit: int, excluded: list[int]) -> list[int]:
    shared: dict[int, int] = {}
    for positions in sets:
        for position in positions:
            shared[position] = shared.get(position, 0) + 1
    for position in excluded:
        shared.pop(position, None)
    return sorted(shared, key=lambda position: (-shared[position], position))[:limit]
