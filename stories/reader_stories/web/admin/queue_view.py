"""The address of a list page: its filters, order and page in the query string, read and written.

A filtered list is an ordinary GET address, so it can be bookmarked, and every form that acts
from it carries it as ``back``: after a bulk action, an Undo or an edit the moderator lands on
the same filtered page. A ``back`` value is never trusted as sent: it is read like a request's
query string and written out again from what was understood, so it can only name a list page
of this admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

from reader_stories.models import Status
from reader_stories.moderation.search_terms import ALL, EXACT, read_terms
from reader_stories.store.search import StoryFilter

PAGE_MAX = 999_999
MSG_PAGE = "There is no page {value!r}; pages are numbered 1, 2, 3…: showing the first."
QUERY_MAX = 4096  # characters of a back address's query: more than any filter needs
# ?order=: a list's own order by time (the default, left out of addresses), or by spam score.
BY_TIME, BY_SCORE = "newest", "score"
ORDERS = (BY_TIME, BY_SCORE)
MSG_ORDER = (
    "There is no order {value!r}: use score (highest spam score first) or newest; "
    "showing the list in its usual order."
)


@dataclass(frozen=True)
class QueueView:
    """One list page: what it shows, in which order, which page of it, and what in its address
    was not used."""

    wanted: StoryFilter
    page: int = 1
    problems: tuple[str, ...] = ()

    def path(self, page: int | None = None) -> str:
        return view_path(self.wanted, self.page if page is None else page)


def page_number(text: str | None) -> int | None:
    """?page=N: a whole number from 1 up, or None."""
    if text and text.isascii() and text.isdigit() and len(text) <= len(str(PAGE_MAX)):
        return int(text) or None
    return None


def read_view(params: Mapping[str, str]) -> QueueView:
    """The list page a query string asks for; anything unusable is left out and said."""
    terms = read_terms(
        status=params.get("status"),
        article=params.get("article"),
        writer=params.get("writer"),
        match=params.get("match"),
        text=params.get("text"),
        network=params.get("network"),
    )
    problems = list(terms.problems)
    raw_order = " ".join(params.get("order", "").split()).lower()
    if raw_order and raw_order not in ORDERS:
        problems.append(MSG_ORDER.format(value=raw_order[:20]))
    wanted = replace(terms.wanted, by_score=raw_order == BY_SCORE)
    raw_page = params.get("page", "")
    page = page_number(raw_page)
    if page is None:
        if raw_page:
            problems.append(MSG_PAGE.format(value=raw_page[:20]))
        page = 1
    return QueueView(wanted, page, tuple(problems))


def status_word(status: Status | None) -> str:
    return ALL if status is None else status.value


def view_path(wanted: StoryFilter, page: int = 1) -> str:
    """The admin-relative address of a list page: "/?status=pending&writer=ada&order=score&page=2"
    (the order only when it is not the usual one)."""
    pairs = [("status", status_word(wanted.status))]
    if wanted.article:
        pairs.append(("article", wanted.article))
    if wanted.writer:
        pairs.append(("writer", wanted.writer))
        if wanted.writer_exact:
            pairs.append(("match", EXACT))
    if wanted.text:
        pairs.append(("text", wanted.text))
    if wanted.network:
        pairs.append(("network", wanted.network))
    if wanted.by_score:
        pairs.append(("order", BY_SCORE))
    if page > 1:
        pairs.append(("page", str(page)))
    return "/?" + urlencode(pairs)


def list_back(value: str) -> str | None:
    """A list page's address as a form sent it back, written out again; None if it is not one."""
    if not value.startswith("/?") or len(value) > QUERY_MAX:
        return None
    try:
        pairs = parse_qsl(value[2:], keep_blank_values=True, errors="strict", max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    first: dict[str, str] = {}
    for key, item in pairs:
        first.setdefault(key, item)
    view = read_view(first)
    return view.path()
