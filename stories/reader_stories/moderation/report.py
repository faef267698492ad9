"""Moderation outcomes in words: what `invoke comments.*` prints and what the admin shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from reader_stories.moderation.service import Done, Outcome
from reader_stories.pages.republish import PageUpdate

MSG_LATER = (
    "The article page changes at the next build or publish: this server has no built site "
    "to update."
)


def describe(outcome: Outcome) -> list[str]:
    """One line per story changed (or one for the whole action), one per story left as it was
    and why, then one per article page."""
    return [*_what(outcome), *not_done(outcome), *_pages(outcome)]


def describe_done(outcome: Outcome) -> list[str]:
    """What changed and the pages rewritten, without the ids left as they were."""
    return [*_what(outcome), *_pages(outcome)]


def describe_without_paths(outcome: Outcome) -> list[str]:
    """What changed, for a page anyone holding an email's link may see: the pages in words,
    never the server's folders or the problem that kept one from being rewritten."""
    return [*_what(outcome), *(_page_in_words(page) for page in outcome.pages)] + (
        [MSG_LATER] if outcome.public and not outcome.republished else []
    )


def _page_in_words(page: PageUpdate) -> str:
    if page.page is not None:
        return f"{page.slug}: the article page is up to date now."
    if page.queued:
        return f"{page.slug}: on the public site in a few seconds."
    return f"{page.slug}: the article page changes at the next build or publish."


def counted(count: int, one: str, many: str) -> str:
    """ "1 story", "2 stories": the number with the word that goes with it."""
    return f"{count:,} {one if count == 1 else many}"


def _ids(ids: tuple[int, ...]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def _what(outcome: Outcome) -> list[str]:
    done = outcome.done
    if done in (Done.APPROVED, Done.REJECTED, Done.SPAM, Done.RETURNED):
        return [f"#{s.id} {done.value} ({s.article}, by {s.name})" for s in outcome.stories]
    if done == Done.EDITED:
        return [f"#{s.id} edited; it shows as edited by a moderator." for s in outcome.stories]
    if done == Done.CHANGE_APPROVED:
        return [
            f"#{s.id}: its writer's change is approved and published ({s.article}, by {s.name}); "
            "it shows as edited."
            for s in outcome.stories
        ]
    if done == Done.CHANGE_REJECTED:
        return [
            f"#{s.id}: its writer's change is rejected; the published version stays."
            for s in outcome.stories
        ]
    if done == Done.REPLIED:
        return [
            f"#{s.id} published as the author's reply to #{s.parent_id}." for s in outcome.stories
        ]
    if done == Done.DELETED:
        return _deleted(outcome)
    if done == Done.FORGOTTEN:
        follows = _follows_ended(outcome.follows)
        if not outcome.removed:
            if follows:
                return ["No story was written with that address.", *follows]
            return ["No story was written with that address; nothing to remove.", *follows]
        removed = counted(len(outcome.removed), "story", "stories and replies")
        return [f"Removed {removed} tied to that address.", *follows]
    removed = counted(
        len(outcome.removed),
        "rejected, spam or never-moderated story",
        "rejected, spam or never-moderated stories",
    )
    lines = [
        f"Removed {removed} older than {counted(outcome.days, 'day', 'days')}, rate-limit "
        "records past their window, and the log of old emails."
    ]
    if outcome.follows:
        unconfirmed = counted(outcome.follows, "follow", "follows")
        lines.append(f"Deleted {unconfirmed} of articles nobody confirmed, with their addresses.")
    return lines


def _follows_ended(count: int) -> list[str]:
    """The line about an address's follows of articles, when it had any."""
    if not count:
        return []
    return [f"Ended {counted(count, 'follow', 'follows')} of articles by that address."]


def _deleted(outcome: Outcome) -> list[str]:
    if not outcome.replies:  # all at once (the admin): one line
        if not outcome.removed:
            return []
        return [f"Deleted {_ids(outcome.removed)}; the moderation history remains."]
    lines = []
    for story_id, replies in outcome.replies.items():
        under = f", with the {counted(len(replies), 'reply', 'replies')} under it ({_ids(replies)})"
        lines.append(f"#{story_id} deleted{under if replies else ''}.")
    return [*lines, "The moderation history remains."]


def not_done(outcome: Outcome) -> list[str]:
    """One line per id left as it was: skipped and why, or not found (deleted, or never)."""
    lines = [f"#{s.story_id} skipped: {s.why}." for s in outcome.skipped]
    for missing in outcome.missing:
        event = missing.deleted
        if event is None:
            lines.append(f"#{missing.story_id} not found: there is no story with this id.")
        else:
            lines.append(
                f"#{missing.story_id} not found: it was deleted "
                f"{event.at:%Y-%m-%d %H:%M} UTC by {event.actor}."
            )
    return lines


def _pages(outcome: Outcome) -> list[str]:
    return page_lines(outcome.pages, outcome.republished) if outcome.public else []


def page_lines(pages: Iterable[PageUpdate], republished: bool) -> list[str]:
    """What became of each article page a change rewrote, or that it waits for a build."""
    if not republished:
        return [MSG_LATER]
    return [_page(page) for page in pages]


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
