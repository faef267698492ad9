"""What every importer hands back: plain records, so one writer stores them all the same way.

Importers only read their format; the clean-up shared by all of them (slugs from addresses,
names, emails, reader text) lives here so the three agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from reader_stories.models import Status
from reader_stories.store import schema
from reader_stories.text import clean
from reader_stories.validation import SLUG_MAX

ANONYMOUS = "Anonymous"
NO_SLUG = "no article slug in its address"
NOTE_NO_IPS = (
    "IP addresses were not imported: the store keeps only keyed hashes of them, never raw "
    "addresses."
)
_SLUG_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{SLUG_MAX - 1}}}")
_INDEX_PAGES = frozenset({"index.html", "index.htm"})
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, kw_only=True)
class ImportedComment:
    """One foreign comment, ready to become a story; ``ref`` is its id in the source."""

    ref: str
    parent_ref: str | None
    article: str
    name: str
    email: str | None
    body_markdown: str
    body_html: str
    status: Status
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class Skipped:
    """A comment left out on purpose, reported with the reason."""

    ref: str
    article: str
    reason: str


@dataclass
class Harvest:
    """Everything one importer read: comments to store, comments skipped, notes to print."""

    source: str
    comments: list[ImportedComment] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def slug_from_uri(uri: str) -> str | None:
    """'https://site.example/handling-job-rejection/' -> 'handling-job-rejection'.

    The origin, query and slashes go, as do a '.html' suffix and a trailing index.html; the
    last path segment is the slug, so dated URLs (/2024/05/slug.html) work too. None when
    no article slug is left (the home page, say).
    """
    segments = [part for part in urlsplit(uri.strip()).path.split("/") if part]
    if segments and segments[-1].lower() in _INDEX_PAGES:
        segments.pop()
    if not segments:
        return None
    slug = unquote(segments[-1])
    for suffix in (".html", ".htm"):
        slug = slug.removesuffix(suffix)
    return slug if _SLUG_RE.fullmatch(slug) else None


def is_slug(text: str) -> bool:
    return bool(_SLUG_RE.fullmatch(text))


def clean_text(text: object) -> str:
    """Reader text as the intake accepts it (text.py): what it would refuse is dropped rather
    than the comment, so one stray character in an old export never stops an import.

    Takes any value, since SQLite columns hold whatever a program once put in them.
    """
    if text is None:
        return ""
    return clean(text if isinstance(text, str) else str(text)).strip()


def clean_name(name: object) -> str:
    """One line, no longer than the column; 'Anonymous' when nobody signed."""
    cleaned = " ".join(clean_text(name).split())
    return cleaned[: schema.NAME_LENGTH] or ANONYMOUS


def clean_email(email: object) -> str | None:
    """Kept only when it looks like an address and fits the column."""
    cleaned = clean_text(email)
    if not cleaned or len(cleaned) > schema.EMAIL_LENGTH or not _EMAIL_RE.fullmatch(cleaned):
        return None
    return cleaned


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a time without a zone is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
