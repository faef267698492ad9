"""A writer changes their own story with the receipt they keep.

The receipt's page (GET /delete) offers the change beside the deletion while the story is
pending, and for ``edit_window_hours`` after it was published; POST /change checks the new name
and text as the story form does. A waiting story takes them at once, in one transaction with
the check that no moderator has read it meanwhile. A published story is the moderator's
decision on the words they read: the change is stored beside it as a revision, for a moderator
to approve, and the page keeps the approved words until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import (
    ChangeWindowClosed,
    InvalidTransition,
    StoreUnavailable,
    StoryNotFound,
    ValidationFailed,
)
from reader_stories.models import Status, Story
from reader_stories.store.revisions import Revision
from reader_stories.validation import validate_change
from reader_stories.web.body import check_media_type, read_form
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import field_messages, intake_root, plausible_receipt
from reader_stories.web.intake.receipt_view import Offer

if TYPE_CHECKING:
    from reader_stories.web.intake.receipts import Receipts

MSG_DECIDED = (
    "A moderator has already read your story, so it can no longer be changed. You can still "
    "delete it with your link."
)
MSG_GONE = "This story was already deleted, so there is nothing to change."
TITLE_CLOSED = "This story can no longer be changed"
MSG_NO_CHANGES = (
    "Published stories cannot be changed here. Nothing was changed; you can still delete your "
    "story with your link."
)
MSG_STORE = "We could not reach the story database just now. Nothing was changed: try again soon."


def msg_closed(hours: int) -> str:
    """Why a published story cannot be changed any more, and what the writer can still do."""
    if hours <= 0:
        return MSG_NO_CHANGES
    span = "1 hour" if hours == 1 else f"{hours} hours"
    return (
        f"A published story can be changed for {span} after it was published, and that time "
        "is over. Nothing was changed; you can still delete your story with your link."
    )


def closed(hours: int) -> Refused:
    return Refused(409, msg_closed(hours), title=TITLE_CLOSED)


@dataclass(frozen=True)
class Changed:
    """The story after the change; for a published one, the revision now waiting."""

    story: Story
    revision: Revision | None


class Changes:
    """POST /change: the writer's new name and text for a waiting or recently published story."""

    def __init__(self, receipts: Receipts) -> None:
        self.receipts = receipts
        self.intake = receipts.intake

    def _change(self, receipt: str, form: dict[str, str]) -> Changed:
        view = self.receipts.view_of(receipt)
        settings = self.intake.settings
        if view.offer is Offer.CLOSED:
            raise closed(settings.edit_window_hours)  # said before the text is judged
        if not view.can_change:
            raise Refused(409, MSG_DECIDED)
        name, text = validate_change(
            form, max_links=settings.max_links, author_name=settings.author_name
        )
        story_id = view.story.id
        try:
            with self.intake.store().writing() as tx:
                if tx.get(story_id).status is Status.PENDING:
                    return Changed(tx.change_by_writer(story_id, text, name), None)
                revision = tx.revise_by_writer(story_id, text, name, settings.edit_window)
                return Changed(tx.get(story_id), revision)
        except ChangeWindowClosed:
            raise closed(settings.edit_window_hours) from None
        except InvalidTransition:
            raise Refused(409, MSG_DECIDED) from None
        except StoryNotFound:
            raise Refused(410, MSG_GONE) from None
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def change(self, request: Request) -> Response:
        pages = self.intake.pages
        form: dict[str, str] = {}
        try:
            kind = check_media_type(request)
            settings = self.intake.settings
            form = await read_form(
                request, kind, settings.max_body_bytes, self.intake.read_timeouts
            )
            receipt = form.get("receipt", "")
            changed = await run_in_threadpool(self._change, receipt, form)
        except Refused as refusal:
            return pages.refused(request, refusal)
        except ValidationFailed as failed:
            try:
                view = await run_in_threadpool(self.receipts.view_of, form.get("receipt", ""))
            except Refused as refusal:
                return pages.refused(request, refusal)
            return pages.page(
                "delete.html",
                422,
                **view.context(),
                values={"name": form.get("name", ""), "story": form.get("story", "")},
                errors=field_messages(failed.messages()),
                receipt=plausible_receipt(form.get("receipt")),
                intake_root=intake_root(request),
            )
        return pages.page(
            "changed.html",
            200,
            story=changed.story,
            revision=changed.revision,
            receipt=plausible_receipt(receipt),
            intake_root=intake_root(request),
        )
