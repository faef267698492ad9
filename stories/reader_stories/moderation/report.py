"""Moderation outcomes in words: what `invoke comments.*` prints and what the admin shows."""

from __future__ import annotations

from reader_stories.moderation.service import Done, Outcome

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
    return [
        f"{page.slug}: page and stories feed updated ({page.page})."
        if page.page is not None
        else f"{page.slug}: not rewritten: {page.problem}."
        for page in outcome.pages
    ]
