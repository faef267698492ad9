"""Markdown extension: an inline pattern is tried only on text holding what it can begin with.

Python-Markdown tries each of its inline patterns (code spans, links, emphasis, entities...) on
every run of text, one Python call and one regular-expression search per pattern, in priority
order: about half the time of converting a page of prose, most of it spent learning that a
paragraph holds no backtick or bracket. Here each pattern's expression is read once for what a
match can begin with (`starts_of`: "[" for a link, two spaces and a newline for a line break),
and a text holding none of it skips the pattern with a search in C. A pattern whose start
cannot be worked out is always tried.

The output is exactly Python-Markdown's: a skipped pattern is one whose search would have found
nothing, and every pattern that may match is applied by Python-Markdown's own code
(tests/plugin/test_inline_gate.py compares both on every construct and on generated text).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown import Markdown, util
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor as InlinePattern
from markdown.treeprocessors import InlineProcessor

try:  # the parser behind `re`; a Python without it tries every pattern, as Python-Markdown does
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.11 and later have both
    sre = sre_parse = None

# A character class wider than this (a negated class, \w, a long range) tells nothing useful.
_MOST_CHARACTERS = 256

Parsed = list[tuple[Any, Any]]


def starts_of(expression: re.Pattern[str]) -> frozenset[str] | None:
    """Texts one of which every match of `expression` begins with (single characters, or a run
    of fixed characters such as two spaces and a newline), or None when that cannot be told (a
    class such as `.` or `\\w`, a back reference, case folding, a match of nothing)."""
    if sre_parse is None or not isinstance(expression, re.Pattern):
        return None  # a pattern may hand over any object with a search (a test's recorder)
    return _compiled_starts(expression)


@cache
def _compiled_starts(expression: re.Pattern[str]) -> frozenset[str] | None:
    """`starts_of`, read once per expression: every Markdown instance shares its patterns'."""
    if expression.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(expression.pattern, expression.flags)
    except Exception:  # an expression `re` compiled but this version of its parser does not read
        return None
    found = _starts(list(parsed))
    if found is None or found[1] or not found[0]:
        return None
    return frozenset(found[0])


def _starts(items: Parsed) -> tuple[set[str], bool] | None:
    """The texts a sequence of parsed items can begin with, and whether it can match nothing
    at all; None when unknown."""
    starts: set[str] = set()
    for index, (op, arg) in enumerate(items):
        if op is sre.LITERAL:
            return starts | {_literal_run(items[index:])}, False
        if op is sre.IN:
            members = _members(arg)
            return None if members is None else (starts | members, False)
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors and look-arounds match no character
        inner = _inner(op, arg)
        if inner is None:
            return None
        found, can_be_empty = inner
        starts |= found
        if not can_be_empty:
            return starts, False
    return starts, True


def _literal_run(items: Parsed) -> str:
    """The fixed characters at the head of `items`, which begins with one."""
    run = []
    for op, arg in items:
        if op is not sre.LITERAL:
            break
        run.append(chr(arg))
    return "".join(run)


def _inner(op: Any, arg: Any) -> tuple[set[str], bool] | None:
    """A group, a repeat or alternatives, as one item of a sequence."""
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, body = arg
        return None if add_flags & re.IGNORECASE else _starts(list(body))
    if op is sre.ATOMIC_GROUP:
        return _starts(list(arg))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, _most, body = arg
        found = _starts(list(body))
        if found is None:
            return None
        # Only the body's first character is sure: it may be cut short by what follows it.
        return {start[0] for start in found[0]}, found[1] or least == 0
    if op is sre.BRANCH:
        starts: set[str] = set()
        can_be_empty = False
        for alternative in arg[1]:
            found = _starts(list(alternative))
            if found is None:
                return None
            starts |= found[0]
            can_be_empty = can_be_empty or found[1]
        return starts, can_be_empty
    return None  # any character, a back reference, a conditional group


def _members(items: Parsed) -> set[str] | None:
    """The characters of a class such as `[*_]` or `[a-z]`; None for negated or wide ones."""
    members: set[str] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            members.add(chr(arg))
        elif op is sre.RANGE and arg[1] - arg[0] < _MOST_CHARACTERS:
            members.update(map(chr, range(arg[0], arg[1] + 1)))
        else:
            return None
    return members


@dataclass(frozen=True)
class Gate:
    """Whether a text holds, from a position on, one of the texts a pattern begins with: one
    search in C for the single characters, a substring search for each longer run."""

    characters: re.Pattern[str] | None
    runs: tuple[str, ...]

    def opens(self, text: str, position: int = 0) -> bool:
        if self.characters is not None and self.characters.search(text, position) is not None:
            return True
        return any(text.find(run, position) >= 0 for run in self.runs)


@cache
def gate_for(starts: frozenset[str]) -> Gate:
    single = "".join(re.escape(start) for start in sorted(starts) if len(start) == 1)
    # A run that begins with another start ("[^" after "[") adds nothing to look for.
    runs = tuple(
        sorted(
            start
            for start in starts
            if len(start) > 1 and not any(start.startswith(other) for other in starts - {start})
        )
    )
    return Gate(re.compile(f"[{single}]") if single else None, runs)


Plan = list[tuple[Any, Gate | None]]


class GatedInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, skipping the patterns a text cannot begin."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._plan: Plan | None = None
        self._any: Gate | None = None

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self._plan, self._any = self._planned(list(self.inlinePatterns))
        return super().run(tree, ancestors)

    def _planned(self, patterns: list[Any]) -> tuple[Plan | None, Gate | None]:
        """Each pattern with its gate (None: always tried), and one gate for them all when every
        pattern has one. With an old-style pattern, Python-Markdown's own loop runs."""
        if not all(isinstance(pattern, InlinePattern) for pattern in patterns):
            return None, None
        starts = [starts_of(pattern.getCompiledRegExp()) for pattern in patterns]
        plan: Plan = [
            (pattern, None if one is None else gate_for(one))
            for pattern, one in zip(patterns, starts, strict=True)
        ]
        if any(one is None for one in starts):
            return plan, None
        return plan, gate_for(frozenset().union(*starts))

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """Python-Markdown's loop over the patterns (the name its own methods call), with the
        gates: a pattern whose gate stays shut is one whose search would find nothing."""
        plan = self._plan
        if plan is None:
            return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]
        if isinstance(data, util.AtomicString):
            return data
        if self._any is not None and not self._any.opens(data):
            return data  # no pattern can begin anywhere in it
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start = 0
        while patternIndex < len(plan):
            pattern, gate = plan[patternIndex]
            if gate is not None and not gate.opens(data, start):
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


# The two methods of Python-Markdown's inline processor the gate stands on: its loop over the
# patterns, which the gate replaces, and the application of one pattern, which it calls.
HOOKS = ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")


class InlineGateExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        """Takes the place of Python-Markdown's "inline" tree processor, at its priority; a
        Python-Markdown without the methods it stands on keeps its own processor."""
        if not all(hasattr(InlineProcessor, hook) for hook in HOOKS):
            return
        registry = md.treeprocessors
        priority = registry._priority[registry.get_index_for_name("inline")].priority
        registry.register(GatedInlineProcessor(md), "inline", priority)


def makeExtension(**kwargs: Any) -> InlineGateExtension:
    return InlineGateExtension(**kwargs)
