"""What `invoke comments.*` print: the queue, one story, the mail outbox, and its arguments.

The moderation actions themselves are moderation/service.py's; their outcomes are put in words
by moderation/report.py, which the admin shares.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from reader_stories.models import Story
from reader_stories.moderation import actions
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import OutboxState
from reader_stories.notify.sender import Transport, deliver, emails
from reader_stories.store import Store


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


def send_mail(store: Store, mailer: Mailer, transport: Transport) -> list[str]:
    """One delivery pass (`comments.send-mail`), then whatever is still not delivered."""
    if not mailer.enabled:
        return ["Email is off: set COMMENTS_SMTP_HOST (see the README) to send any."]
    report = deliver(store, mailer, transport)
    return [str(report), *mail_report(store)]


def show_story(store: Store, story_id: int) -> str:
    story, events = actions.show(store, story_id)
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
