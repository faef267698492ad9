"""What every importer hands back: plain records, so one writer stores them all the same way.

Importers only read their format; the clean-up shared by all of them (names, emails, reader
text) lives here so the three agree on it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reader_stories.models import Status
from reader_stories.store import schema
from reader_stories.text import clean

ANONYMOUS = "Anonymous"
NOTE_NO_IPS = (
    "IP addresses were not imported: the store keeps only keyed hashes of them, never raw "
    "addresses."
)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, kw_only=True)
class ImportedComment:
    """One foreign comment as its source showed it; ``ref`` is its id in the source and
    ``source_url`` the address (or comment folder) of the page it was on."""

    ref: str
    parent_ref: str | None
    source_url: str
    name: str
    email: str | None
    body_markdown: str
    body_html: str
    status: Status
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class Skipped:
    """A comment left out on purpose, or a record that could not be read, with the reason."""

    ref: str
    source_url: str
    reason: str


@dataclass
class Harvest:
    """Everything one importer read: comments, records left out, fields the store cannot keep
    (field -> how many comments had one) and notes to print."""

    source: str
    comments: list[ImportedComment] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def drop(self, what: str) -> None:
        """One comment had a field the store has no place for (named in the report)."""
        self.dropped[what] += 1


def clean_text(text: object) -> str:
    """Reader text as the intake accepts it (text.py): what it would refuse is dropped rather
    than the comment, so one stray character in an old export never stops an import.

    Takes any value, since SQLite columns hold whatever a program once put in them.
    """
    if text is None:
        return ""
    return clean(text if isinstance(text, str) else str(text)).strip()


def clean_name(name: object) -> str:
    """One line; 'Anonymous' when nobody signed. Its length is checked where the import is
    planned, so a name over the form's limit is reported rather than silently cut."""
    return " ".join(clean_text(name).split()) or ANONYMOUS


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
