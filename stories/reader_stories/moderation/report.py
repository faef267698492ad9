"""Moderation outcomes in words: what `invoke comments.*` prints and what the admin shows."""

from __future__ import annotations

from datetime import datetime

from reader_stories.moderation.service import Done, Outcome
from reader_stories.pages.republish import PageUpdate

MSG_LATER = (
    "The article page changes at the next build or publish: this server has no built site "
    "to update."
)


def describe(outcome: Outcome) -> list[str]:
    """One line per story changed (or one for the whole action), then one per article page."""
    return [*_what(outcome), *_pages(outcome)]


def _what(outcome: Outcome) -> list[str]:
    done = outcome.done
    if done in (Done.APPROVED, Done.REJECTED, Done.SPAM):
        return [f"#{s.id} {done.value} ({s.article}, by {s.name})" for s in outcome.stories]
    if done == Done.EDITED:
        return [f"#{s.id} edited; it shows as edited by a moderator." for s in outcome.stories]
    if done == Done.REPLIED:
        return [
            f"#{s.id} published as the author's reply to #{s.parent_id}." for s in outcome.stories
        ]
    if done == Done.DELETED:
        ids = ", #".join(str(i) for i in outcome.removed)
        return [f"Deleted #{ids}; the moderation history remains."]
    if done == Done.FORGOTTEN:
        if not outcome.removed:
            return ["No story was written with that address; nothing to remove."]
        return [f"Removed {len(outcome.removed)} stories and replies tied to that address."]
    return [
        f"Removed {len(outcome.removed)} rejected, spam or never-moderated stories older than "
        f"{outcome.days} days, rate-limit records past their window, and the log of old emails."
    ]


def _pages(outcome: Outcome) -> list[str]:
    if outcome.public and not outcome.republished:
        return [MSG_LATER]
    return [_page(page) for page in outcome.pages]


def _page(page: PageUpdate) -> str:
    if page.page is not None:
        return f"{page.slug}: page and stories feed updated ({page.page})."
    if page.queued:
        return f"{page.slug}: waiting to be pushed to the public site, in a few seconds."
    return f"{page.slug}: not rewritten: {page.problem}."


def when(moment: datetime, now: datetime) -> str:
    """14:05 UTC today, else with the date: times in the store are UTC."""
    if moment.date() == now.date():
        return f"{moment:%H:%M} UTC"
    return f"{moment:%Y-%m-%d %H:%M} UTC"
