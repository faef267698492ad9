"""Follow an article: the small form under the stories, and the links of a follower's emails.

POST /follow takes an address and how often to hear (one email per story, or a daily digest;
a plain form, or JSON for stories.js) and answers the same words whatever the store held, so
nobody learns whether an address follows an article. The links of the emails work as the story
writer's do: GET shows a page with a button, POST acts (mail scanners open links), and POST
/follow/unsubscribe alone is RFC 8058's one-click.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidToken, RateLimited, StoreUnavailable
from reader_stories.notify.follow import (
    FOLLOW_CONFIRM_DAYS,
    FollowState,
    confirm_follow,
    end_follow,
    follow_state,
    request_follow,
)
from reader_stories.notify.follow_links import CONFIRM_SALT, UNSUBSCRIBE_SALT, check_follow_token
from reader_stories.ratelimit import purpose_bucket, request_network_hash, take_slot
from reader_stories.tokens import check_article_token
from reader_stories.validation import follow_email
from reader_stories.web.body import (
    FORM_TYPE,
    MULTIPART_TYPE,
    check_media_type,
    media_type,
    read_form,
)
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import (
    intake_root,
    plausible_receipt,
    plausible_slug,
    wait_text,
    wants_json,
)

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

log = logging.getLogger(__name__)

# Requests per network and hour: a reader follows a few articles, not dozens an hour.
FOLLOW_LIMIT = 10
FOLLOW_WINDOW = timedelta(hours=1)

MSG_ASKED = (
    "Thank you. If the address can receive email, a message is on its way with a link to "
    "confirm; we send nothing else until you press the button on the page it opens, and we "
    f"delete an address nobody confirms within {FOLLOW_CONFIRM_DAYS} days. If this address "
    "already follows the article, nothing changes."
)
MSG_FORM = (
    "This form is out of date or was changed, so we could not take it. Reload the article "
    "page and try again."
)
MSG_NO_MAIL = (
    "This site does not send email at the moment, so it cannot tell you about new stories. "
    "The article's Atom feed, linked above the form, lists every new story."
)
MSG_RATE = "You have asked several times in a short while. Please wait {wait} and try again."
MSG_STORE = "We could not save that just now. Nothing changed: please try again in a few minutes."
MSG_LINK = (
    "This link is not valid. Check that the whole link was copied from the email; if it was, "
    "follow the article again from the form under its stories."
)
MSG_LINK_STORE = (
    "We could not reach the story database just now, so nothing changed. Please try again "
    "in a minute."
)
TITLE_FORM = "You could not follow this article"
MSG_FREQUENCY = (
    "Choose how often to hear: one email per new story, or one daily digest. Reload the "
    "article page if the choice is not there"
)
# The form's "How often" choice: whether the follow gets a daily digest.
FREQUENCIES = {"": False, "each": False, "daily": True}


class Follows:
    """POST /follow, and GET and POST /follow/confirm and /follow/unsubscribe."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    # The form

    def _article(self, form: dict[str, str]) -> str:
        slug = plausible_slug(form.get("article"))
        try:
            if not slug:
                raise InvalidToken("no article")
            check_article_token(self.intake.settings.signing_keys, form.get("token", ""), slug)
        except InvalidToken:
            raise Refused(400, MSG_FORM, title=TITLE_FORM) from None
        return slug

    def _follow(self, article: str, email: str, digest: bool, network: str) -> None:
        mailer = self.intake.mailer
        assert mailer is not None
        try:
            with self.intake.store().writing() as tx:
                take_slot(tx, purpose_bucket("follow", network), FOLLOW_LIMIT, FOLLOW_WINDOW)
                outcome = request_follow(tx, mailer, article, email, digest)
        except RateLimited as exc:
            wait = MSG_RATE.format(wait=wait_text(exc.retry_after))
            raise Refused(429, wait, retry_after=exc.retry_after, title=TITLE_FORM) from None
        except StoreUnavailable as exc:
            log.warning("Follow not saved, database unavailable: %s", exc)
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None
        log.info("Follow %d asked (confirmation queued: %s)", outcome.follow_id, outcome.asked)

    async def follow(self, request: Request) -> Response:
        intake = self.intake
        form: dict[str, str] = {}
        try:
            kind = check_media_type(request)
            intake.check_origin(request)
            settings = intake.settings
            form = await read_form(request, kind, settings.max_body_bytes, intake.read_timeouts)
            article = self._article(form)
            email, problem = follow_email(form)
            if problem is not None:
                return self._invalid(request, article, problem)
            digest = FREQUENCIES.get(str(form.get("frequency", "")).strip())
            if digest is None:
                return self._invalid(request, article, MSG_FREQUENCY, "frequency")
            if intake.mailer is None or not intake.mailer.enabled:
                raise Refused(503, MSG_NO_MAIL, title=TITLE_FORM)
            network = request_network_hash(request, settings.trusted_proxies, settings.secret_key)
            await run_in_threadpool(self._follow, article, email, digest, network)
        except Refused as refusal:
            return intake.pages.refused(request, refusal, form.get("article"))
        back = f"{intake.pages.site.article_href(article)}#stories"
        if wants_json(request):
            return intake.pages.json({"status": "asked", "message": MSG_ASKED}, 200)
        return intake.pages.page("follow.html", 200, message=MSG_ASKED, back=back)

    def _invalid(
        self, request: Request, article: str, problem: str, field: str = "email"
    ) -> Response:
        message = f"{problem}."
        if wants_json(request):
            return self.intake.pages.json({"error": message, "errors": {field: message}}, 422)
        refusal = Refused(422, message, title=TITLE_FORM)
        return self.intake.pages.refused(request, refusal, article)

    # The links of the emails

    def _follow_id(self, token: str, salt: str) -> int:
        try:
            return check_follow_token(self.intake.settings.signing_keys, token, salt)
        except InvalidToken:
            raise Refused(400, MSG_LINK, title="This link does not work") from None

    def _state(self, token: str) -> tuple[FollowState, str]:
        follow_id = self._follow_id(token, CONFIRM_SALT)
        try:
            return follow_state(self.intake.store(), follow_id)
        except StoreUnavailable:
            raise Refused(503, MSG_LINK_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def confirm_page(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            state, article = await run_in_threadpool(self._state, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        if state is not FollowState.WAITING:
            return self._confirmed(state, article, already=True)
        return self.intake.pages.page(
            "follow-confirm.html",
            200,
            token=plausible_receipt(token),
            intake_root=intake_root(request),
        )

    def _confirm(self, token: str) -> tuple[FollowState, str]:
        follow_id = self._follow_id(token, CONFIRM_SALT)
        try:
            return confirm_follow(self.intake.store(), follow_id)
        except StoreUnavailable:
            raise Refused(503, MSG_LINK_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def confirm(self, request: Request) -> Response:
        try:
            token = await self._token(request)
            before, article = await run_in_threadpool(self._confirm, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        return self._confirmed(before, article, already=before is FollowState.CONFIRMED)

    def _confirmed(self, state: FollowState, article: str, *, already: bool) -> Response:
        shown = FollowState.GONE if state is FollowState.GONE else FollowState.CONFIRMED
        back = f"{self.intake.pages.site.article_href(article)}#stories" if article else ""
        return self.intake.pages.page(
            "follow-confirmed.html", 200, state=shown.value, already=already, back=back
        )

    def _subscribed(self, token: str) -> bool:
        follow_id = self._follow_id(token, UNSUBSCRIBE_SALT)
        try:
            with self.intake.store().reading() as tx:
                return tx.find_follow(follow_id) is not None
        except StoreUnavailable:
            raise Refused(503, MSG_LINK_STORE, retry_after=STORE_RETRY_AFTER) from None

    def _unsubscribe(self, token: str) -> bool:
        follow_id = self._follow_id(token, UNSUBSCRIBE_SALT)
        try:
            return end_follow(self.intake.store(), follow_id)
        except StoreUnavailable:
            raise Refused(503, MSG_LINK_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def unsubscribe_page(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        try:
            subscribed = await run_in_threadpool(self._subscribed, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        if not subscribed:
            return self.intake.pages.page("follow-unsubscribed.html", 200, already=True)
        return self.intake.pages.page(
            "follow-unsubscribe.html",
            200,
            token=plausible_receipt(token),
            intake_root=intake_root(request),
        )

    async def unsubscribe(self, request: Request) -> Response:
        """One-click: the token in the address (or in the form of the page above) is enough."""
        try:
            token = await self._token(request)
            ended = await run_in_threadpool(self._unsubscribe, token)
        except Refused as refusal:
            return self.intake.pages.refused(request, refusal)
        return self.intake.pages.page("follow-unsubscribed.html", 200, already=not ended)

    async def _token(self, request: Request) -> str:
        """The token of the link's address, or of the form that the page's button posts."""
        token = request.query_params.get("token", "")
        kind = media_type(request)[0]
        if kind in {FORM_TYPE, MULTIPART_TYPE}:
            limit = self.intake.settings.max_body_bytes
            form = await read_form(request, kind, limit, self.intake.read_timeouts)
            token = token or form.get("token", "")
        return token
