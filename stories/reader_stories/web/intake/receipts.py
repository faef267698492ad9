"""The reader's receipt: a signed token that deletes their story, and everything under it.

POST with the receipt deletes: the thank-you page's button and stories.js send it in the body.
The link a reader keeps, and the one in every email to them, carries it in the address: GET
shows what will be deleted and asks to confirm (link checkers and previews only GET, so they
never delete anything). Published stories leave the site at once where the intake has a
republisher (the built site), else at the next publish.

The plain form's receipt reaches the thank-you page in a cookie, not in the 303's address:
signed, HttpOnly, sent to that page alone and only for a few minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidToken, StoreUnavailable, StoryNotFound
from reader_stories.models import Story
from reader_stories.moderation import service
from reader_stories.pages.republish import Republisher
from reader_stories.settings import CommentsSettings
from reader_stories.tokens import check_receipt_token
from reader_stories.web.body import check_media_type, read_form
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import intake_root, plausible_receipt
from reader_stories.web.intake.receipt_view import ReceiptView, receipt_view

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

MSG_RECEIPT = (
    "This deletion link is not valid. Check that the whole link was copied from your receipt; "
    "if it was, ask the editors to remove your story."
)
MSG_GONE = "This story was already deleted. There is nothing more to do."
MSG_STORE = "We could not reach the story database just now. Nothing was deleted: try again soon."
RECEIPT_COOKIE = "stories_receipt"
# Long enough to read the thank-you page and reload it; short enough that a shared computer
# does not show the next person the receipt.
RECEIPT_COOKIE_SECONDS = 600
COOKIE_SALT = "nextround.stories.receipt-cookie"


def _cookie_signer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=COOKIE_SALT)


def carry_receipt(
    response: Response, request: Request, settings: CommentsSettings, receipt: str
) -> None:
    """Give the receipt to the thank-you page the 303 leads to, and to nothing else."""
    response.set_cookie(
        RECEIPT_COOKIE,
        _cookie_signer(settings.secret_key).dumps(receipt),
        max_age=RECEIPT_COOKIE_SECONDS,
        path=f"{intake_root(request)}/received",
        secure=settings.secure_cookies or request.url.scheme == "https",
        httponly=True,
        # Lax, not Strict: the article page may be on another site than the intake, and a
        # Strict cookie is not sent on a navigation that began there.
        samesite="lax",
    )


def carried_receipt(request: Request, settings: CommentsSettings) -> str:
    """The receipt the cookie brought, or "" (none, tampered with, or too old)."""
    value = request.cookies.get(RECEIPT_COOKIE, "")
    if not value:
        return ""
    try:
        receipt = _cookie_signer(settings.secret_key).loads(value, max_age=RECEIPT_COOKIE_SECONDS)
    except BadSignature:
        return ""
    return receipt if isinstance(receipt, str) else ""


class Receipts:
    def __init__(self, intake: Intake, republisher: Republisher | None = None) -> None:
        self.intake = intake
        self.republisher = republisher

    def story_of(self, receipt: str) -> Story:
        return self.view_of(receipt).story

    def view_of(self, receipt: str) -> ReceiptView:
        """The receipt's story and what its writer may do with it (Refused for a bad receipt)."""
        try:
            story_id = check_receipt_token(self.intake.settings.signing_keys, receipt)
        except InvalidToken:
            raise Refused(400, MSG_RECEIPT) from None
        try:
            return receipt_view(self.intake.store(), story_id, self.intake.settings.edit_window)
        except StoryNotFound:
            raise Refused(410, MSG_GONE) from None
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def confirm(self, request: Request) -> Response:
        receipt = request.query_params.get("receipt", "")
        try:
            view = await run_in_threadpool(self.view_of, receipt)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        # While it may be changed (change.py), the form is filled in with the latest words.
        return self.intake.pages.page(
            "delete.html",
            200,
            **view.context(),
            values=view.values,
            errors={},
            receipt=plausible_receipt(receipt),
            intake_root=intake_root(request),
        )

    def _delete(self, receipt: str) -> service.Outcome:
        story = self.story_of(receipt)
        try:
            return service.reader_deleted(self.intake.store(), self.republisher, story.id)
        except StoryNotFound:
            raise Refused(410, MSG_GONE) from None
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def delete(self, request: Request) -> Response:
        try:
            kind = check_media_type(request)
            form = await read_form(
                request, kind, self.intake.settings.max_body_bytes, self.intake.read_timeouts
            )
            outcome = await run_in_threadpool(self._delete, form.get("receipt", ""))
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        return self.intake.pages.page(
            "deleted.html",
            200,
            was_published=outcome.public,
            updated_now=outcome.republished,
        )
