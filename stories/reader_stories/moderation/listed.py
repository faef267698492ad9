"""The moderators' list of words, phrases and link domains that hold a new story for review.

A word or phrase matches whole words, whatever the case ("casino" holds "Casino!" but not
"casinos"; "easy money" holds "Easy   money"). A domain matches a link to itself or to any of
its subdomains ("bit.ly" holds https://bit.ly/x and http://go.bit.ly, not notbit.ly), Markdown
links and bare addresses alike, as the story form counts links. The reasons name what matched.

The intake reads the list in its write transaction: one short query, and the compiled matcher
is cached for as long as the list stays the same: single words are looked up in a set, word by
word of the story, so a long list costs no more per story than a short one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from reader_stories.store.blocks import TermKind

TERM_LENGTH = 200
_DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def normal_word(text: str) -> str:
    """A word or phrase as the list keeps it: lower case, single spaces; ValueError if empty."""
    word = " ".join(text.lower().split())
    if not re.search(r"\w", word):
        raise ValueError(f"{text!r} has no letters or digits to look for; give a word or phrase.")
    if len(word) > TERM_LENGTH:
        raise ValueError(f"A listed phrase has at most {TERM_LENGTH} characters.")
    return word


def normal_domain(text: str) -> str:
    """A domain as the list keeps it: "https://Bit.ly/x", "*.bit.ly" and "bit.ly" are bit.ly."""
    raw = text.strip().lower()
    host = urlsplit(raw if "://" in raw else f"//{raw}").hostname or ""
    host = host.removeprefix("*.").strip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    if not _DOMAIN_RE.fullmatch(host):
        raise ValueError(
            f"{text!r} is not a domain; write it like bit.ly or example.com "
            "(its subdomains are held too)."
        )
    return host


def normal_term(kind: TermKind, text: str) -> str:
    return normal_word(text) if kind == TermKind.WORD else normal_domain(text)


_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Matcher:
    """The listed words as a set (one pass over the story's words finds them all), the
    phrases and other terms as one compiled scan, and the listed domains."""

    words: frozenset[str]
    others: re.Pattern[str] | None
    domains: frozenset[str]

    def reasons(self, texts: Iterable[str], hosts: Iterable[str]) -> tuple[str, ...]:
        """'it contains "casino"', 'it links to bit.ly', each once, in the order found."""
        found: dict[str, None] = {}
        for text in texts:
            if self.words:
                for word in _WORD_RE.findall(text.lower()):
                    if word in self.words:
                        found[f'it contains "{word}"'] = None
            if self.others is not None:
                for match in self.others.finditer(text):
                    found[f'it contains "{" ".join(match.group().lower().split())}"'] = None
        for host in hosts:
            domain = self._listed_domain(host)
            if domain is not None:
                found[f"it links to {domain}"] = None
        return tuple(found)

    def _listed_domain(self, host: str) -> str | None:
        """The listed domain ``host`` is or is under, if any: each of its parent domains is
        looked up, so the cost follows the host's length, not the list's."""
        labels = host.lower().strip(".").split(".")
        for start in range(len(labels) - 1):
            candidate = ".".join(labels[start:])
            if candidate in self.domains:
                return candidate
        return None


@lru_cache(maxsize=8)
def matcher(terms: tuple[tuple[str, str], ...]) -> Matcher:
    """The matcher for a list, compiled once per distinct list (the store's (kind, value)s)."""
    listed = [value for kind, value in terms if kind == TermKind.WORD]
    words = frozenset(w for w in listed if _WORD_RE.fullmatch(w))
    others = sorted((w for w in listed if w not in words), key=len, reverse=True)
    pattern = None
    if others:
        alternatives = "|".join(r"\s+".join(map(re.escape, term.split())) for term in others)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    domains = frozenset(value for kind, value in terms if kind == TermKind.DOMAIN)
    return Matcher(words, pattern, domains)
