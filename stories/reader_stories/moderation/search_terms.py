"""What a moderator types to find stories, checked and put in words, for the admin and the CLI.

Both take the same five filters (article, status, writer, words, network) and read them the same
way. A value that cannot be used comes back as a problem in words: the admin shows it and leaves
that filter out, the command line refuses to run. Nothing here touches the database; the
queries are store/search.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reader_stories.models import Status
from reader_stories.store.schema import EMAIL_LENGTH, HASH_LENGTH, SLUG_LENGTH
from reader_stories.store.search import StoryFilter
from reader_stories.text import normalise, strip_controls

ALL = "all"  # every status at once
STATUS_WORDS = (*(status.value for status in Status), ALL)
EXACT, CONTAINS = "exact", "contains"
TEXT_MAX = 200  # characters of words to look for in a story
WRITER_MAX = EMAIL_LENGTH  # the longest address (a name is shorter)
NETWORK_MIN = 6  # hexadecimal digits: the card shows 8
SHORT_NETWORK = 8  # how much of a network hash a card shows
_HEX = re.compile(r"[0-9a-f]+")

MSG_STATUS = "There is no status {value!r}: use pending, approved, rejected, spam or all."
MSG_MATCH = "The writer is matched “exact” or “contains”, not {value!r}."
MSG_LONG = "The {what} to look for is {count} characters long; use {limit} or fewer."
MSG_NETWORK = (
    "{value!r} is not a network hash: it is written in the digits 0-9 and letters a-f, "
    f"{NETWORK_MIN} to {HASH_LENGTH} of them (a story card shows the first {SHORT_NETWORK})."
)


@dataclass(frozen=True)
class SearchTerms:
    """A filter ready for the store, and what could not be used, in words."""

    wanted: StoryFilter
    problems: tuple[str, ...] = field(default=())


def _clean(value: str | None) -> str:
    """One line of text, as a search box gives it: spaces and line breaks collapsed."""
    return " ".join(strip_controls(normalise(value or "")).split())


def _shown(value: str) -> str:
    """A bad value as a message quotes it: short enough to read."""
    return value if len(value) <= 40 else value[:40] + "…"


def read_terms(
    *,
    status: str | None = None,
    article: str | None = None,
    writer: str | None = None,
    match: str | None = None,
    text: str | None = None,
    network: str | None = None,
    default_status: Status | None = Status.PENDING,
) -> SearchTerms:
    """The filter these typed values ask for; each unusable value is left out and said why."""
    problems: list[str] = []
    chosen: Status | None = default_status
    status_word = _clean(status).lower()
    if status_word == ALL:
        chosen = None
    elif status_word:
        try:
            chosen = Status(status_word)
        except ValueError:
            problems.append(MSG_STATUS.format(value=_shown(status_word)))
    match_word = _clean(match).lower() or CONTAINS
    if match_word not in (EXACT, CONTAINS):
        problems.append(MSG_MATCH.format(value=_shown(match_word)))
        match_word = CONTAINS
    slug = _clean(article)
    if len(slug) > SLUG_LENGTH:
        problems.append(MSG_LONG.format(what="article", count=len(slug), limit=SLUG_LENGTH))
        slug = ""
    who = _clean(writer)
    if len(who) > WRITER_MAX:
        problems.append(MSG_LONG.format(what="writer", count=len(who), limit=WRITER_MAX))
        who = ""
    words = _clean(text)
    if len(words) > TEXT_MAX:
        problems.append(MSG_LONG.format(what="text", count=len(words), limit=TEXT_MAX))
        words = ""
    hashed = _clean(network).lower()
    if hashed and not (
        NETWORK_MIN <= len(hashed) <= HASH_LENGTH and _HEX.fullmatch(hashed) is not None
    ):
        problems.append(MSG_NETWORK.format(value=_shown(hashed)))
        hashed = ""
    wanted = StoryFilter(
        status=chosen,
        article=slug or None,
        writer=who or None,
        writer_exact=match_word == EXACT,
        text=words or None,
        network=hashed or None,
    )
    return SearchTerms(wanted, tuple(problems))


def short_network(ip_hash: str) -> str:
    """The start of a network hash a card shows: enough to tell networks apart on a page."""
    return ip_hash[:SHORT_NETWORK]


def describe_terms(wanted: StoryFilter, article_title: str | None = None) -> list[str]:
    """The filter in words, one phrase per term, for a page's summary or a listing's heading;
    the article by its title when the caller knows it."""
    said = []
    if wanted.article:
        said.append(f"on “{article_title}”" if article_title else f"on {wanted.article}")
    if wanted.writer:
        how = "is" if wanted.writer_exact else "contains"
        said.append(f"writer {how} “{wanted.writer}”")
    if wanted.text:
        said.append(f"text contains “{wanted.text}”")
    if wanted.network:
        said.append(f"network {wanted.network[:SHORT_NETWORK]}")
    return said
