"""A writer changes their own story while it waits for a moderator, with the receipt they keep.

The receipt's page (GET /delete) offers the change beside the deletion while the story is
pending; POST /change checks the new name and text as the story form does and stores them, in
one transaction with the check that no moderator has read the story meanwhile. A published
story is the moderator's decision on the words they read: it can be deleted, not changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import (
    InvalidTransition,
    StoreUnavailable,
    StoryNotFound,
    ValidationFailed,
)
from reader_stories.models import Story
from reader_stories.story_html import plain_text
from reader_stories.validation import validate_change
from reader_stories.web.body import check_media_type, read_form
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import field_messages, intake_root, plausible_receipt

if TYPE_CHECKING:
    from reader_stories.web.intake.receipts import Receipts

MSG_DECIDED = (
    "A moderator has already read your story, so it can no longer be changed. You can still "
    "delete it with your link."
)
MSG_GONE = "This story was already deleted, so there is nothing to change."
MSG_STORE = "We could not reach the story database just now. Nothing was changed: try again soon."


class Changes:
    """POST /change: the writer's new name and text for a story still waiting."""

    def __init__(self, receipts: Receipts) -> None:
        self.receipts = receipts
        self.intake = receipts.intake

    def _change(self, receipt: str, form: dict[str, str]) -> Story:
        story = self.receipts.story_of(receipt)
        settings = self.intake.settings
        name, text = validate_change(
            form, max_links=settings.max_links, author_name=settings.author_name
        )
        try:
            with self.intake.store().writing() as tx:
                return tx.change_by_writer(story.id, text, name)
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
            story = await run_in_threadpool(self._change, receipt, form)
        except Refused as refusal:
            return pages.refused(request, refusal)
        except ValidationFailed as failed:
            current = await run_in_threadpool(self.receipts.story_of, form.get("receipt", ""))
            return pages.page(
                "delete.html",
                422,
                story=current,
                preview=plain_text(current.body_markdown, limit=160),
                can_change=True,
                values={"name": form.get("name", ""), "story": form.get("story", "")},
                errors=field_messages(failed.messages()),
                receipt=plausible_receipt(form.get("receipt")),
                intake_root=intake_root(request),
            )
        return pages.page(
            "changed.html",
            200,
            story=story,
            receipt=plausible_receipt(receipt),
            intake_root=intake_root(request),
        )
