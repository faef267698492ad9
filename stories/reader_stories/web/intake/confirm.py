"""Confirmation links from the first email to an address: GET asks, POST confirms.

Mail security scanners open the links in emails, so opening the link changes nothing: the page
it opens has the button that confirms. The token is in the address because an email needs a
link; the page sends no Referer, and the service logs no addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidToken, StoreUnavailable
from reader_stories.notify.confirm import (
    AddressState,
    address_state,
    check_confirm_token,
    confirm_story_address,
)
from reader_stories.web.body import FORM_TYPE, MULTIPART_TYPE, media_type, read_form
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import intake_root, plausible_receipt

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

TITLE_LINK = "This confirmation link does not work"
MSG_LINK = (
    "This confirmation link is not valid. Check that the whole link was copied from the email; "
    "if it was, send your story again with your address to get a new one."
)
MSG_STORE = (
    "We could not reach the story database just now, so nothing changed. Please try again "
    "in a minute."
)


class Confirmations:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def _story_id(self, token: str) -> int:
        try:
            return check_confirm_token(self.intake.settings.signing_keys, token)
        except InvalidToken:
            raise Refused(400, MSG_LINK, title=TITLE_LINK) from None

    def _state(self, token: str) -> AddressState:
        try:
            return address_state(self.intake.store(), self._story_id(token))
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    def _confirm(self, token: str) -> AddressState:
        try:
            return confirm_story_address(self.intake.store(), self._story_id(token))
        except StoreUnavailable:
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def confirm(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            state = await run_in_threadpool(self._state, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        if state is not AddressState.WAITING:
            return self.intake.pages.page("confirmed.html", 200, state=state.value)
        return self.intake.pages.page(
            "confirm.html", 200, token=plausible_receipt(token), intake_root=intake_root(request)
        )

    async def confirmed(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            kind = media_type(request)[0]
            if kind in {FORM_TYPE, MULTIPART_TYPE}:
                settings = self.intake.settings
                form = await read_form(
                    request, kind, settings.max_body_bytes, self.intake.read_timeouts
                )
                token = form.get("token", "") or token
            state = await run_in_threadpool(self._confirm, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        shown = AddressState.GONE if state is AddressState.GONE else AddressState.CONFIRMED
        return self.intake.pages.page(
            "confirmed.html", 200, state=shown.value, already=state is AddressState.CONFIRMED
        )
