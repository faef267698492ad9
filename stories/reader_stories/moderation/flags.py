"""What a moderator is warned of about a story, in the admin and in the moderator's email.

- links: ``count_links`` of the text, the number the intake limits.
- first-time author: no *earlier* approved reader story (author replies aside) has the same name
  (Unicode-normalised, spacing collapsed, case-folded) or the same email address (case-folded;
  only the yes/no answer reaches a page or an email, never an address). Earlier means written
  before this story (by time, then id). Names are compared in Python, not SQL, because
  SQLite's lower() only folds ASCII.
- duplicate: another story (any status, any article) has the same ``body_hash``, the fingerprint
  the intake uses for resent stories (text ignoring case and spacing).
- personal data: the privacy check's findings (moderation/personal_data.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reader_stories.models import Status, Story
from reader_stories.moderation.personal_data import Finding, find_personal_data, redact
from reader_stories.store import Tx
from reader_stories.story_html import count_links
from reader_stories.text import fold


@dataclass(frozen=True)
class Twin:
    """Another story with the same text fingerprint."""

    id: int
    status: Status
    article: str


@dataclass(frozen=True)
class Flags:
    links: int
    first_time: bool
    duplicates: tuple[Twin, ...]
    personal: tuple[Finding, ...] = ()  # the privacy check's findings, each one redactable

    @property
    def personal_kinds(self) -> list[str]:
        """What the privacy check found, by kind only ("phone number", "probable personal
        name (2)"): words that can go where the personal text itself must not, as in email."""
        counts = Counter(finding.kind for finding in self.personal)
        return [kind if n == 1 else f"{kind} ({n})" for kind, n in counts.items()]


def without_personal_data(text: str, findings: Sequence[Finding]) -> str:
    """The text with each finding replaced (``[phone number removed]``), for places less private
    than the admin, such as an email, which is kept in mailboxes and forwarded."""
    for finding in sorted(findings, key=lambda f: len(f.text), reverse=True):
        if finding.text in text:
            text = redact(text, finding)
    return text


def _twins(tx: Tx, story_ids: Sequence[int]) -> dict[int, tuple[Twin, ...]]:
    hashes = tx.body_hashes(story_ids)
    rows = tx.same_text(hashes.values())
    return {
        story_id: tuple(
            Twin(row.id, row.status, row.article)
            for row in rows
            if row.body_hash == body_hash and row.id != story_id
        )
        for story_id, body_hash in hashes.items()
    }


def _author_keys(name: str, email: str | None) -> list[str]:
    keys = [f"name:{fold(name)}"]
    if email:
        keys.append(f"email:{email.strip().casefold()}")
    return keys


def _first_times(tx: Tx, stories: Sequence[Story]) -> dict[int, bool]:
    """For each story: no earlier approved reader story shares its name or email."""
    # A story created after the latest one asked about is not earlier than any of them.
    latest = max(story.created for story in stories)
    earliest: dict[str, tuple[datetime, int]] = {}
    for row in tx.approved_writers(latest):
        for key in _author_keys(row.name, row.email):
            mark = (row.created, row.id)
            if key not in earliest or mark < earliest[key]:
                earliest[key] = mark
    result: dict[int, bool] = {}
    for story in stories:
        mine = (story.created, story.id)
        keys = _author_keys(story.name, story.email)
        result[story.id] = not any(key in earliest and earliest[key] < mine for key in keys)
    return result


def flags_of(tx: Tx, stories: Sequence[Story]) -> dict[int, Flags]:
    """Each story's flags by id, read in the caller's transaction."""
    if not stories:
        return {}
    twins = _twins(tx, [story.id for story in stories])
    first = _first_times(tx, stories)
    return {
        story.id: Flags(
            links=count_links(story.body_markdown),
            first_time=first[story.id] and not story.author_reply,
            duplicates=twins.get(story.id, ()),
            personal=tuple(find_personal_data(story.body_markdown)),
        )
        for story in stories
    }
