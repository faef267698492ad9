"""What only the command line prints: the queue and filtered lists of stories, one story with its
history, the mail outbox.

Outcomes of actions are put in words by moderation/report.py, which the admin shares; these are
the commands' own views of the store.
"""

from __future__ import annotations

import json
from datetime import datetime

from reader_stories.cli_scores import reason_lines, score_field, score_record, show_lines
from reader_stories.errors import StoryNotFound
from reader_stories.models import Action, ModerationEvent, Status, Story
from reader_stories.moderation import actions, changes
from reader_stories.moderation.report import when
from reader_stories.moderation.revision_diff import word_diff_text
from reader_stories.moderation.search_terms import describe_terms
from reader_stories.moderation.spam.shown import threshold_words
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import OutboxState
from reader_stories.notify.sender import Transport, deliver, emails
from reader_stories.store import Store, StoryFilter


def story_record(story: Story) -> dict[str, object]:
    """The JSON shape of a pending story (no email, no IP hash), with its spam score."""
    return {
        "id": story.id,
        "article": story.article,
        "name": story.name,
        "story": story.body_markdown,
        "created": story.created.isoformat(timespec="seconds"),
        "reply_to": story.parent_id,
        "status": story.status.value,
        **score_record(story),
    }


def _story_line(story: Story, with_status: bool, with_score: bool = False) -> str:
    """One story on one line, whatever its paragraphs and line breaks."""
    from reader_stories.story_html import plain_text  # markdown-it: only listings need it

    reply = f" reply to #{story.parent_id}" if story.parent_id else ""
    status = f"{story.status.value:<8}  " if with_status else ""
    score = f"{score_field(story)}  " if with_score else ""
    opening = " ".join(plain_text(story.body_markdown, limit=60).split())
    return (
        f"#{story.id:<5} {story.created:%Y-%m-%d %H:%M}  {score}{status}{story.article}{reply}  "
        f"by {story.name}: {opening}"
    )


def _found(store: Store, wanted: StoryFilter, limit: int | None) -> tuple[list[Story], int]:
    """The matching stories in the admin's order (up to ``limit``), and how many match."""
    with store.reading() as tx:
        ids = tx.search_ids(wanted, limit)
        counts = tx.search_counts(wanted)
        stories = tx.get_many(ids)
    total = sum(counts.values()) if wanted.status is None else counts[wanted.status]
    return stories, total


def _matching(wanted: StoryFilter) -> str:
    said = describe_terms(wanted)
    return f" matching {'; '.join(said)}" if said else ""


def pending_listing(
    store: Store,
    as_json: bool = False,
    wanted: StoryFilter | None = None,
    threshold: int | None = None,
) -> str:
    """The moderation queue, or the part of it ``wanted`` asks for; as text, each story with its
    spam score and the reasons under it, followed by any mail not delivered (JSON: stories
    only). By score, the ``threshold`` the score holds stories from, when given, is said under
    the heading."""
    wanted = wanted or StoryFilter()
    stories, _total = _found(store, wanted, None)
    if as_json:
        return json.dumps([story_record(s) for s in stories], ensure_ascii=False, indent=2)
    mail = mail_report(store) + held_report(store)
    waiting_changes = change_lines(changes.waiting(store))
    if not stories:
        none = (
            f"No stories waiting for moderation{_matching(wanted)}."
            if wanted.narrowed
            else "No stories are waiting for moderation."
        )
        return "\n".join([none, *waiting_changes, *mail])
    order = "highest spam score first, unscored last" if wanted.by_score else "newest first"
    lines = []
    if wanted.by_score and threshold is not None:
        lines.append(threshold_words(threshold))
    heading = (
        f"{len(stories)} waiting for moderation{_matching(wanted)} ({order}, as in the admin):"
    )
    for story in stories:
        lines += [_story_line(story, with_status=False, with_score=True), *reason_lines(story)]
    return "\n".join([heading, *lines, *waiting_changes, *mail])


def change_lines(waiting: list[changes.WaitingChange]) -> list[str]:
    """Writers' changes to published stories, each with what it changes, word by word."""
    if not waiting:
        return []
    count = "1 change" if len(waiting) == 1 else f"{len(waiting)} changes"
    lines = [
        "",
        f"{count} to published stories waiting (the page shows the published version until "
        "one is approved; comments.approve-change ID or comments.reject-change ID):",
    ]
    for change in waiting:
        story, revision = change.story, change.revision
        lines.append(
            f"#{story.id:<5} {revision.created:%Y-%m-%d %H:%M}  {story.article}  by {story.name}"
        )
        if change.name_changed:
            lines.append(f"  name: {story.name!r} -> {revision.name!r}")
        text = word_diff_text(story.body_markdown, revision.body_markdown)
        lines += [f"  {line}" for line in text.splitlines() or [""]]
    return lines


def story_listing(store: Store, wanted: StoryFilter, limit: int, as_json: bool = False) -> str:
    """Stories of any status the filter asks for, in the admin's order, a line each."""
    stories, total = _found(store, wanted, limit)
    if as_json:
        return json.dumps([story_record(s) for s in stories], ensure_ascii=False, indent=2)
    which = "stories" if wanted.status is None else f"{wanted.status.value} stories"
    if not stories:
        return f"No {which}{_matching(wanted)}."
    order = "newest first" if wanted.status in (None, Status.PENDING) else "latest change first"
    shown = f"{total}" if total == len(stories) else f"{len(stories)} of {total} (--limit)"
    heading = f"{shown} {which}{_matching(wanted)}, {order}, as in the admin:"
    return "\n".join([heading, *(_story_line(story, with_status=True) for story in stories)])


def describe_outbox(state: OutboxState, now: datetime) -> list[str]:
    """Mail not delivered yet, or given up, in a line each; nothing when all is well."""
    lines = []
    if state.waiting:
        waiting = f"{emails(state.waiting)} waiting to be sent"
        problem = state.waiting_problem
        if problem is not None and problem.at is not None:
            tried = f"attempt {problem.attempts}, next try {when(problem.at, now)}"
            lines.append(f"{waiting}; last error: {problem.last_error} ({tried})")
        elif state.next_attempt is not None:
            lines.append(f"{waiting} (next try {when(state.next_attempt, now)})")
        else:
            lines.append(f"{waiting}.")
    if state.held:
        lines.append(f"{emails(state.held)} held until the writer confirms their address.")
    failed = state.failed_problem
    if state.failed and failed is not None:
        verb = "was" if state.failed == 1 else "were"
        lines.append(
            f"{emails(state.failed)} could not be sent and {verb} given up; last: "
            f"{failed.subject!r} after {failed.attempts} attempts, error: {failed.last_error}"
        )
    return lines


def held_report(store: Store) -> list[str]:
    """Imported comments kept aside without an article, if any: the owner decides on them."""
    with store.reading() as tx:
        held = tx.held_counts().total()
    if not held:
        return []
    what = "comment is" if held == 1 else "comments are"
    return [
        f"{held} imported {what} kept aside without an article: import again with --map FILE "
        "to place them, or drop them with `invoke comments.drop-unmapped`."
    ]


def mail_report(store: Store) -> list[str]:
    with store.reading() as tx:
        return describe_outbox(tx.outbox_state(), tx.clock())


def send_mail(store: Store, mailer: Mailer, transport: Transport) -> list[str]:
    """One delivery pass (`comments.send-mail`), then whatever is still not delivered."""
    if not mailer.enabled:
        return ["Email is off: set COMMENTS_SMTP_HOST (see the README) to send any."]
    report = deliver(store, mailer, transport)
    return [str(report), *mail_report(store)]


PREVIEW_HEADINGS = {
    Status.PENDING: "Preview (sanitised HTML, as it will be published if approved):",
    Status.APPROVED: "Preview (sanitised HTML, as it is published):",
    Status.REJECTED: "Text (sanitised HTML; rejected, so not published):",
    Status.SPAM: "Text (sanitised HTML; marked as spam, so not published):",
}


def _history(events: list[ModerationEvent]) -> list[str]:
    return [
        f"  {e.at:%Y-%m-%d %H:%M} {e.action.value} by {e.actor}" + (f": {e.note}" if e.note else "")
        for e in events
    ]


def show_deleted(store: Store, story_id: int) -> str:
    """A deleted story's history, which outlives it; StoryNotFound for an id never used."""
    with store.reading() as tx:
        events = tx.events(story_id)
    deletions = [e for e in events if e.action == Action.DELETED]
    if not deletions:
        raise StoryNotFound(story_id)
    last = deletions[-1]
    return "\n".join(
        [
            f"Story #{story_id} was deleted on {last.at:%Y-%m-%d %H:%M} UTC by {last.actor}; "
            "its text is gone, its history remains:",
            *_history(events),
        ]
    )


def personal_data_lines(story: Story) -> list[str]:
    """The privacy check's findings, each with the command that takes it out."""
    from reader_stories.moderation.personal_data import find_personal_data

    findings = find_personal_data(story.body_markdown)
    if not findings:
        return []
    lines = ["Personal data to check before it is public:"]
    for finding in findings:
        quoted = finding.text.replace('"', '\\"')
        lines.append(
            f'  {finding.kind}: "{finding.text}"  '
            f'(invoke comments.redact {story.id} "{quoted}" writes {finding.replacement})'
        )
    return [*lines, ""]


def show_story(store: Store, story_id: int, threshold: int | None = None) -> str:
    """One story, its spam score (beside the ``threshold`` it is held from, when given), its
    preview, a writer's change waiting, and its history."""
    try:
        story, events = actions.show(store, story_id)
    except StoryNotFound:
        return show_deleted(store, story_id)
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
    lines += show_lines(story, threshold)
    lines += ["", PREVIEW_HEADINGS[story.status], story.body_html, ""]
    lines += personal_data_lines(story)
    waiting = changes.waiting_for(store, story.id) if story.status is Status.APPROVED else None
    if waiting is not None:
        lines += change_lines([waiting])[1:]
        lines.append("")
    lines.append("History:")
    lines += _history(events)
    return "\n".join(lines)
