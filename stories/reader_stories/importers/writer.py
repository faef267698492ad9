"""Carry out an import plan: new stories in one transaction, with their source ids remembered,
and the comments without an article kept aside.

Every foreign format ends here, so they all map the same way: a reply hangs on its thread's
top-level story (as the intake does), or on the nearest parent that is not shown, so it stays
hidden as it was in the source until that parent is approved.
"""

from __future__ import annotations

from typing import Any

from reader_stories import archive
from reader_stories.importers.plan import STORED, Fate, Plan, Planned
from reader_stories.importers.records import ImportedComment
from reader_stories.models import Action, Status, body_fingerprint
from reader_stories.store import Tx

IMPORT_ACTOR = "import"


def _values(planned: Planned, comment: ImportedComment, parent_id: int | None) -> dict[str, Any]:
    approved = comment.status is Status.APPROVED
    return {
        "article": planned.slug,
        "parent_id": parent_id,
        "name": comment.name,
        "email": comment.email,
        "notify": False,
        "body_markdown": comment.body_markdown,
        "body_html": comment.body_html,
        "body_hash": body_fingerprint(comment.body_markdown),
        "status": comment.status.value,
        "reject_reason": None,
        "edited": False,
        "author_reply": planned.author,
        "ip_hash": None,
        "created": comment.created,
        "updated": max(comment.updated, comment.created),
        "approved_at": comment.created if approved else None,
    }


def held_row(source: str, planned: Planned, comment: ImportedComment) -> dict[str, Any]:
    return {
        "source": source,
        "ref": planned.ref,
        "source_url": planned.source_url,
        "reason": "page" if planned.slug else "no article",
        "parent_ref": comment.parent_ref,
        "name": comment.name,
        "email": comment.email,
        "body_markdown": comment.body_markdown,
        "body_html": comment.body_html,
        "status": comment.status.value,
        "author_reply": False,
        "created": comment.created,
        "updated": comment.updated,
    }


def held_comment(row: dict[str, Any]) -> ImportedComment:
    """A comment an earlier import kept aside, to be placed again with today's map."""
    return ImportedComment(
        ref=row["ref"],
        parent_ref=row["parent_ref"],
        source_url=row["source_url"],
        name=row["name"],
        email=row["email"],
        body_markdown=row["body_markdown"],
        body_html=row["body_html"],
        status=Status(row["status"]),
        created=row["created"],
        updated=row["updated"],
    )


def _depth(planned: Planned, by_ref: dict[str, Planned]) -> int:
    """How many new stories must exist before this one: its parent's, and theirs."""
    depth = 0
    current = planned
    while current.root_ref is not None:
        current = by_ref[current.root_ref]
        if current.fate is Fate.ALREADY:
            break
        depth += 1
    return depth


def carry_out(tx: Tx, plan: Plan) -> None:
    """Write the plan: stories, their origins and history, and the comments kept aside."""
    by_ref = plan.by_ref()
    new = [(p, p.comment) for p in plan.comments if p.fate in STORED and p.comment is not None]
    new.sort(key=lambda pair: (_depth(pair[0], by_ref), pair[1].created, pair[0].ref))
    for planned, comment in new:
        parent_id = None if planned.root_ref is None else by_ref[planned.root_ref].story_id
        story_id = archive.insert_story(tx.conn, _values(planned, comment, parent_id))
        planned.story_id = story_id
        tx.add_origin(plan.source, planned.ref, story_id)
        tx.add_event(
            story_id, Action.SUBMITTED, IMPORT_ACTOR, f"imported from {plan.source} ({planned.ref})"
        )
    tx.release((plan.source, planned.ref) for planned, _ in new)
    tx.hold(
        held_row(plan.source, planned, planned.comment)
        for planned in plan.comments
        if planned.fate is Fate.KEPT_ASIDE and planned.comment is not None
    )
