"""The moderator's console: what `invoke comments.*` prints, as plain functions over a store.

Every change that touches published stories goes straight to the built site through the fast
path, so an approval is live in well under a second without a rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from reader_stories.models import Status, Story
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import privacy
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import OutboxState
from reader_stories.notify.sender import Transport, deliver, emails
from reader_stories.pages.republish import NotBuilt, SiteFiles, republish_article
from reader_stories.store import Store


@dataclass
class Outcome:
    """What a moderation command did, for the moderator to read."""

    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.lines)


def story_record(story: Story) -> dict[str, object]:
    """The JSON shape of a pending story (no email, no IP hash)."""
    return {
        "id": story.id,
        "article": story.article,
        "name": story.name,
        "story": story.body_markdown,
        "created": story.created.isoformat(timespec="seconds"),
        "reply_to": story.parent_id,
        "status": story.status.value,
    }


def pending_listing(store: Store, as_json: bool = False) -> str:
    """The moderation queue; as text, followed by any mail not delivered (JSON: stories only)."""
    stories = store.pending()
    if as_json:
        return json.dumps([story_record(s) for s in stories], ensure_ascii=False, indent=2)
    mail = mail_report(store)
    if not stories:
        return "\n".join(["No stories are waiting for moderation.", *mail])
    from reader_stories.story_html import plain_text  # markdown-it: only listings need it

    lines = [f"{len(stories)} waiting for moderation (oldest first):"]
    for story in stories:
        reply = f" reply to #{story.parent_id}" if story.parent_id else ""
        lines.append(
            f"#{story.id:<5} {story.created:%Y-%m-%d %H:%M}  {story.article}{reply}  "
            f"by {story.name}: {plain_text(story.body_markdown, limit=60)}"
        )
    return "\n".join([*lines, *mail])


def _when(moment: datetime, now: datetime) -> str:
    """14:05 UTC today, else with the date: times in the store are UTC."""
    if moment.date() == now.date():
        return f"{moment:%H:%M} UTC"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def describe_outbox(state: OutboxState, now: datetime) -> list[str]:
    """Mail not delivered yet, or given up, in a line each; nothing when all is well."""
    lines = []
    if state.waiting:
        waiting = f"{emails(state.waiting)} waiting to be sent"
        problem = state.waiting_problem
        if problem is not None and problem.at is not None:
            tried = f"attempt {problem.attempts}, next try {_when(problem.at, now)}"
            lines.append(f"{waiting}; last error: {problem.last_error} ({tried})")
        elif state.next_attempt is not None:
            lines.append(f"{waiting} (next try {_when(state.next_attempt, now)})")
        else:
            lines.append(f"{waiting}.")
    failed = state.failed_problem
    if state.failed and failed is not None:
        verb = "was" if state.failed == 1 else "were"
        lines.append(
            f"{emails(state.failed)} could not be sent and {verb} given up; last: "
            f"{failed.subject!r} after {failed.attempts} attempts, error: {failed.last_error}"
        )
    return lines


def mail_report(store: Store) -> list[str]:
    with store.reading() as tx:
        return describe_outbox(tx.outbox_state(), tx.clock())


def send_mail(store: Store, mailer: Mailer, transport: Transport) -> Outcome:
    """One delivery pass (`comments.send-mail`), then whatever is still not delivered."""
    if not mailer.enabled:
        return Outcome(["Email is off: set COMMENTS_SMTP_HOST (see the README) to send any."])
    report = deliver(store, mailer, transport)
    return Outcome([str(report), *mail_report(store)])


def show_story(store: Store, story_id: int) -> str:
    story, events = moderation.show(store, story_id)
    lines = [
        f"Story #{story.id} on {story.article} ({story.status.value})",
        f"By:      {story.name}",
        f"Written: {story.created:%Y-%m-%d %H:%M} UTC",
    ]
    if story.parent_id:
        lines.append(f"Reply to: #{story.parent_id}")
    if story.edited:
        lines.append("Edited by a moderator")
    if story.reject_reason:
        lines.append(f"Reason:  {story.reject_reason}")
    lines += ["", "Preview (sanitised HTML, as it will be published):", story.body_html, ""]
    lines.append("History:")
    lines += [
        f"  {e.at:%Y-%m-%d %H:%M} {e.action.value} by {e.actor}" + (f": {e.note}" if e.note else "")
        for e in events
    ]
    return "\n".join(lines)


def republish(store: Store, files: SiteFiles | None, articles: Iterable[str]) -> list[str]:
    """Bring each affected article page of the built site up to date; say what happened."""
    if files is None:
        return []
    lines = []
    for slug in sorted(set(articles)):
        try:
            written = republish_article(store, files, slug)
        except NotBuilt as reason:
            lines.append(f"{slug}: not rewritten ({reason}); it updates at the next build.")
        else:
            lines.append(f"{slug}: page and stories feed updated ({written[0]}).")
    return lines


def _changed(stories: Sequence[Story], verb: str) -> list[str]:
    return [f"#{s.id} {verb} ({s.article}, by {s.name})" for s in stories]


def approve(
    store: Store,
    files: SiteFiles | None,
    ids: Sequence[int],
    mailer: Mailer | None = None,
    expected: Status | None = None,
) -> Outcome:
    stories = moderation.approve(store, ids, mailer=mailer, expected=expected)
    lines = _changed(stories, "approved")
    return Outcome(lines + republish(store, files, (s.article for s in stories)))


def reject(
    store: Store,
    files: SiteFiles | None,
    ids: Sequence[int],
    reason: str | None,
    expected: Status | None = None,
) -> Outcome:
    before = {i: store.get(i).status for i in ids}
    stories = moderation.reject(store, ids, reason, expected=expected)
    was_public = [s.article for s in stories if before[s.id].value == "approved"]
    return Outcome(_changed(stories, "rejected") + republish(store, files, was_public))


def spam(
    store: Store, files: SiteFiles | None, ids: Sequence[int], expected: Status | None = None
) -> Outcome:
    before = {i: store.get(i).status for i in ids}
    stories = moderation.mark_spam(store, ids, expected=expected)
    was_public = [s.article for s in stories if before[s.id].value == "approved"]
    return Outcome(_changed(stories, "marked as spam") + republish(store, files, was_public))


def edit(store: Store, files: SiteFiles | None, story_id: int, text: str) -> Outcome:
    story = moderation.edit(store, story_id, text)
    lines = [f"#{story.id} edited; it shows as edited by a moderator."]
    if story.status.value == "approved":
        lines += republish(store, files, [story.article])
    return Outcome(lines)


def reply(
    store: Store,
    files: SiteFiles | None,
    story_id: int,
    text: str,
    author: str,
    mailer: Mailer | None = None,
) -> Outcome:
    answer = moderation.reply(store, story_id, text, author, mailer=mailer)
    lines = [f"#{answer.id} published as the author's reply to #{answer.parent_id}."]
    return Outcome(lines + republish(store, files, [answer.article]))


def delete(
    store: Store, files: SiteFiles | None, ids: Sequence[int], expected: Status | None = None
) -> Outcome:
    articles = {store.get(i).article for i in ids}
    removed = moderation.delete(store, ids, expected=expected)
    lines = [f"Deleted #{', #'.join(str(i) for i in removed)}; the moderation history remains."]
    return Outcome(lines + republish(store, files, articles))


def forget(store: Store, files: SiteFiles | None, email: str) -> Outcome:
    removed = privacy.forget_email(store, email)
    if not removed:
        return Outcome(["No story was written with that address; nothing to remove."])
    lines = [f"Removed {len(removed)} stories and replies tied to that address."]
    return Outcome(lines + republish(store, files, removed.published_articles))


def purge(
    store: Store, files: SiteFiles | None, days: int, rate_window: timedelta = timedelta(days=1)
) -> Outcome:
    removed = privacy.purge(store, days, max(rate_window, timedelta(days=1)))
    lines = [
        f"Removed {len(removed)} rejected, spam or never-moderated stories older than "
        f"{days} days, rate-limit records past their window, and the log of old emails."
    ]
    return Outcome(lines + republish(store, files, removed.published_articles))


def parse_ids(text: str | Iterable[str]) -> list[int]:
    """'3,4 5' or ['3', '4'] -> [3, 4, 5]; anything else is refused with the offending part."""
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    ids = []
    for part in parts:
        if not part.isdigit() or int(part) < 1:
            raise ValueError(f"{part!r} is not a story id; ids are whole numbers like 12.")
        ids.append(int(part))
    if not ids:
        raise ValueError("Give at least one story id, e.g. invoke comments.approve 12.")
    return ids


def read_text_argument(text: str, file: str) -> str:
    if file:
        return Path(file).read_text(encoding="utf-8")
    return text
