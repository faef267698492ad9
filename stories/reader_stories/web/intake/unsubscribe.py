"""Unsubscribe links from notification emails: GET asks, POST unsubscribes (RFC 8058 one-click).

Mail providers post ``List-Unsubscribe=One-Click`` to the link itself, with no cookies and no
page in between, so POST needs nothing but the signed token in the address (or in the form of
the confirm page). GET never changes anything: link scanners and previews fetch links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidToken, StoreUnavailable
from reader_stories.notify.unsubscribe import (
    check_unsubscribe_token,
    is_subscribed,
    unsubscribe_story,
)
from reader_stories.web.body import FORM_TYPE, MULTIPART_TYPE, media_type, read_form
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import intake_root, plausible_receipt

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

MSG_LINK = (
    "This unsubscribe link is not valid. Check that the whole link was copied from the email; "
    "if it was, ask the editors to stop the emails."
)
MSG_STORE = (
    "We could not reach the story database just now, so nothing changed. Please try again "
    "in a minute."
)


class Unsubscribes:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def _story_id(self, token: str) -> int:
        try:
            return check_unsubscribe_token(self.intake.settings.signing_keys, token)
        except InvalidToken:
            raise Refused(400, MSG_LINK) from None

    def _subscribed(self, token: str) -> bool:
        try:
            return is_subscribed(self.intake.store(), self._story_id(token))
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    def _unsubscribe(self, token: str) -> int:
        try:
            return unsubscribe_story(self.intake.store(), self._story_id(token))
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def confirm(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            subscribed = await run_in_threadpool(self._subscribed, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        if not subscribed:
            return self.intake.pages.page("unsubscribed.html", 200, already=True)
        return self.intake.pages.page(
            "unsubscribe.html",
            200,
            token=plausible_receipt(token),
            intake_root=intake_root(request),
        )

    async def unsubscribe(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            kind = media_type(request)[0]
            if kind in {FORM_TYPE, MULTIPART_TYPE}:  # one-click senders post a form; or nothing
                settings = self.intake.settings
                form = await read_form(
                    request, kind, settings.max_body_bytes, self.intake.read_timeouts
                )
                token = token or form.get("token", "")
            await run_in_threadpool(self._unsubscribe, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        return self.intake.pages.page("unsubscribed.html", 200, already=False)
