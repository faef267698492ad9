"""The reader's receipt: a private link that deletes their story, and everything under it.

GET shows what will be deleted and asks to confirm (link checkers and previews only GET, so
they never delete anything); POST deletes. Published stories leave the site through the
`on_removed` hook where the intake can reach the built site, else at the next publish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidToken, StoreUnavailable, StoryNotFound
from reader_stories.models import Story
from reader_stories.moderation.privacy import Removed, delete_by_receipt
from reader_stories.store import Store
from reader_stories.story_html import plain_text
from reader_stories.tokens import check_receipt_token
from reader_stories.web.body import check_media_type, read_form
from reader_stories.web.intake.pages import Refused, intake_root, plausible_receipt

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

# Called with the store and the slugs of articles that showed a removed story.
OnRemoved = Callable[[Store, Iterable[str]], object]

MSG_RECEIPT = (
    "This deletion link is not valid. Check that the whole link was copied from your receipt; "
    "if it was, ask the editors to remove your story."
)
MSG_GONE = "This story was already deleted. There is nothing more to do."
MSG_STORE = "We could not reach the story database just now. Nothing was deleted: try again soon."
RETRY_AFTER = 30


class Receipts:
    def __init__(self, intake: Intake, on_removed: OnRemoved | None = None) -> None:
        self.intake = intake
        self.on_removed = on_removed

    def _story(self, receipt: str) -> Story:
        try:
            story_id = check_receipt_token(self.intake.settings.secret_key, receipt)
        except InvalidToken:
            raise Refused(400, MSG_RECEIPT) from None
        try:
            return self.intake.store().get(story_id)
        except StoryNotFound:
            raise Refused(410, MSG_GONE) from None
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=RETRY_AFTER) from None

    async def confirm(self, request: Request) -> Response:
        receipt = request.query_params.get("receipt", "")
        try:
            story = await run_in_threadpool(self._story, receipt)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        return self.intake.pages.page(
            "delete.html",
            200,
            story=story,
            preview=plain_text(story.body_markdown, limit=160),
            receipt=plausible_receipt(receipt),
            intake_root=intake_root(request),
        )

    def _delete(self, receipt: str) -> Removed:
        story = self._story(receipt)
        try:
            removed = delete_by_receipt(self.intake.store(), story.id)
        except StoryNotFound:
            raise Refused(410, MSG_GONE) from None
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=RETRY_AFTER) from None
        if removed.published_articles and self.on_removed is not None:
            self.on_removed(self.intake.store(), removed.published_articles)
        return removed

    async def delete(self, request: Request) -> Response:
        try:
            kind = check_media_type(request)
            form = await read_form(request, kind, self.intake.settings.max_body_bytes)
            removed = await run_in_threadpool(self._delete, form.get("receipt", ""))
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        return self.intake.pages.page(
            "deleted.html",
            200,
            was_published=bool(removed.published_articles),
            updated_now=self.on_removed is not None,
        )
