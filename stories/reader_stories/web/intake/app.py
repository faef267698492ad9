"""The reader-story intake: a small ASGI app that takes the story form and queues it for moderation.

It deploys alone behind a reverse proxy, mounted at /stories, so it never imports Pelican: only
the stories modules for settings, tokens, validation, rate limits and the store. A story is
acknowledged only after its transaction has committed; every refusal is a page (or JSON for
stories.js) that tells the reader what to do next, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import cast

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reader_stories.config import Config
from reader_stories.errors import (
    DuplicateSubmission,
    InvalidToken,
    QueueFull,
    RateLimited,
    StoreUnavailable,
    StoriesError,
    ValidationFailed,
)
from reader_stories.models import Status, Submission
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import queue_new_story
from reader_stories.pages.republish import Republisher
from reader_stories.ratelimit import request_network_hash, take_slot
from reader_stories.settings import CommentsSettings
from reader_stories.store import DEFAULT_BUSY_TIMEOUT, LazyStore, Tx
from reader_stories.store.batching import BatchWriter
from reader_stories.threads import Thread, threads
from reader_stories.tokens import check_article_token, make_article_token, make_receipt_token
from reader_stories.validation import validate_submission
from reader_stories.web.body import JSON_TYPE, check_media_type, read_form
from reader_stories.web.errors import QUEUE_RETRY_AFTER, STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import (
    Pages,
    field_messages,
    plausible_slug,
    wait_text,
    wants_json,
)
from reader_stories.web.intake.receipts import Receipts
from reader_stories.web.intake.unsubscribe import Unsubscribes
from reader_stories.web.static import stylesheet_route, stylesheets

log = logging.getLogger(__name__)


MSG_ORIGIN = (
    "This form cannot be sent from another website. Open the article on {sitename} and send "
    "your story from the form there."
)
MSG_TOKEN = (
    "This form is out of date or was changed, so we could not accept it. Copy your story, "
    "reload the article page and send it again."
)
MSG_RATE = "You have sent several stories in a short time. Please wait {wait} and send yours again."
MSG_DUPLICATE = (
    "We already received this story a short while ago and it is waiting for a moderator, "
    "so there is no need to send it again."
)
MSG_DUPLICATE_PUBLISHED = (
    "We already received this story a short while ago and a moderator has published it, "
    "so there is no need to send it again."
)
MSG_DUPLICATE_READ = (
    "We already received this story a short while ago and a moderator has read it, so there "
    "is no need to send it again. To add something, send it in your own words as a new story."
)
# What a reader who sends the same story again is told, by where the first copy is now.
DUPLICATE_MESSAGES = {
    Status.PENDING.value: MSG_DUPLICATE,
    Status.APPROVED.value: MSG_DUPLICATE_PUBLISHED,
}
MSG_QUEUE_FULL = (
    "The queue of stories waiting for a moderator is full, so we cannot take new ones right "
    "now. Nothing was saved: please keep a copy of your story and try again later (in about "
    "an hour)."
)
MSG_STORE = (
    "We could not save your story just now because the story database is busy. Nothing was "
    "saved: please wait a moment and send it again."
)
MSG_NOT_FOUND = (
    "There is nothing at this address. Stories are sent from the form at the end of each article."
)
MSG_METHOD = "This address only accepts stories sent from the form at the end of an article."
MSG_SERVER = (
    "Something went wrong on our side and your story may not have been saved. Please try "
    "again in a few minutes."
)


def _refuse_duplicate(tx: Tx, submission: Submission, within: timedelta | None) -> None:
    """Checked before the rate limit: a resent story hears "already received", not "wait"."""
    if within is not None:
        existing = tx.recent_duplicate_story(submission.article, submission.body_hash, within)
        if existing is not None:
            raise DuplicateSubmission(*existing)


class Intake:
    """The service's state: settings, pages, and one store opened on first use."""

    def __init__(
        self,
        settings: CommentsSettings,
        pages: Pages,
        busy_timeout: float,
        mailer: Mailer | None = None,
    ) -> None:
        self.settings = settings
        self.pages = pages
        self.mailer = mailer
        self.store = LazyStore(settings.database_url, busy_timeout)
        self.writer: BatchWriter[tuple[Submission, str]] = BatchWriter(self.store, self._write_one)

    def close(self) -> None:
        """Release the database; safe to call twice, and the next request reopens it."""
        self.store.close()

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        """Standalone: migrate before the first request, close at shutdown."""
        try:
            await run_in_threadpool(self.store)
        except StoriesError as exc:
            log.warning("Story database unavailable at startup, retrying per request: %s", exc)
        try:
            yield
        finally:
            await run_in_threadpool(self.close)

    # Routes

    async def submit(self, request: Request) -> Response:
        form: dict[str, str] = {}
        try:
            kind = check_media_type(request)
            if kind == JSON_TYPE:
                self._check_origin(request)
            form = await read_form(request, kind, self.settings.max_body_bytes)
            network = request_network_hash(
                request, self.settings.trusted_proxies, self.settings.secret_key
            )
            # On the event loop, not in a thread: this is pure Python under the GIL, so a thread
            # would run it no sooner and only add two hand-overs between threads.
            submission = self._check(form, network)
            story_id = await self._save(submission, network)
        except Refused as refusal:
            return self.pages.refused(request, refusal, form.get("article"))
        except ValidationFailed as failed:
            return await self._invalid(request, form, failed)
        receipt = make_receipt_token(self.settings.secret_key, story_id)
        return self.pages.accepted(request, form["article"], receipt)

    async def received(self, request: Request) -> Response:
        return self.pages.received(request)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """404, 405 and friends as pages a reader understands (405 keeps its Allow header)."""
        http = cast(HTTPException, exc)
        message = {404: MSG_NOT_FOUND, 405: MSG_METHOD}.get(http.status_code, MSG_SERVER)
        return self.pages.refused(request, Refused(http.status_code, message, headers=http.headers))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """A bug: the reader gets a plain apology; uvicorn logs the traceback for us.

        uvicorn drops the connection after an unhandled error, so say so: a client must not
        send its next request down a connection that is about to close.
        """
        refusal = Refused(500, MSG_SERVER, headers={"Connection": "close"})
        return self.pages.refused(request, refusal)

    # Steps of a submission, in the order they run

    def _check_origin(self, request: Request) -> None:
        """JSON can only come from a script: it must run on the site (or on this intake)."""
        origin = request.headers.get("origin")
        if origin is None:
            return
        own = f"{request.url.scheme}://{request.url.netloc}"
        allowed = {o.rstrip("/") for o in self.settings.allowed_origins}
        if origin != own and origin not in allowed:
            raise Refused(403, MSG_ORIGIN.format(sitename=self.pages.site.sitename))

    def _check(self, form: dict[str, str], network: str) -> Submission:
        """The article token, then every field; raises to refuse.

        The story is rendered and fingerprinted here too, so the write batch, which holds the
        database's write lock, does nothing but SQL.
        """
        token = form.get("token", "")
        try:
            if not token:
                raise InvalidToken("no token")
            check_article_token(self.settings.secret_key, token, form.get("article", ""))
        except InvalidToken:
            raise Refused(400, MSG_TOKEN) from None
        submission = validate_submission(form, ip_hash=network, max_links=self.settings.max_links)
        submission.prepare()
        return submission

    def _write_one(self, tx: Tx, item: tuple[Submission, str]) -> int:
        """One story's checks and writes, inside the batch's transaction (in its own savepoint)."""
        submission, network = item
        settings = self.settings
        duplicates = timedelta(seconds=settings.duplicate_window) or None
        _refuse_duplicate(tx, submission, duplicates)
        window = timedelta(seconds=settings.rate_limit.seconds)
        take_slot(tx, network, settings.rate_limit.count, window)
        # The duplicate check above ran in this same savepoint: no need to repeat it.
        story = tx.add_submission(submission, max_pending=settings.max_pending)
        # Queued, not sent: a mail server that is down never holds up the reader.
        queue_new_story(tx, self.mailer, story)
        return story.id

    async def _save(self, submission: Submission, network: str) -> int:
        """Commit before answering: once this returns, the story survives a crash.

        Stories sent at the same moment share one commit (group commit, see batching.py).
        """
        try:
            story_id = await self.writer.write((submission, network))
        except RateLimited as exc:
            wait = MSG_RATE.format(wait=wait_text(exc.retry_after))
            raise Refused(429, wait, retry_after=exc.retry_after) from None
        except DuplicateSubmission as exc:
            message = DUPLICATE_MESSAGES.get(exc.existing_status, MSG_DUPLICATE_READ)
            raise Refused(409, message) from None
        except QueueFull:
            raise Refused(503, MSG_QUEUE_FULL, retry_after=QUEUE_RETRY_AFTER) from None
        except StoreUnavailable as exc:
            log.warning("Story not saved, database unavailable: %s", exc)
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None
        log.info("Story %d on %s stored", story_id, submission.article)
        return story_id

    async def _invalid(
        self, request: Request, form: dict[str, str], failed: ValidationFailed
    ) -> Response:
        errors = field_messages(failed.messages())
        slug = plausible_slug(form.get("article"))
        grouped: list[Thread] = []
        if slug and not wants_json(request):
            grouped = await run_in_threadpool(self._threads, slug)
        token = make_article_token(self.settings.secret_key, slug) if slug else ""
        return self.pages.invalid(request, form, errors, grouped, token)

    def _threads(self, slug: str) -> list[Thread]:
        """Reply-to choices for the refilled form; without the store, a form for a new story."""
        try:
            return threads(self.store().approved_for_article(slug))
        except StoriesError:
            return []


def create_app(
    config: Config,
    *,
    republisher: Republisher | None = None,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> Starlette:
    """The intake, to mount at /stories: POST / takes a story, GET /received thanks the reader,
    GET and POST /delete let a reader delete their story with the receipt link, GET and POST
    /unsubscribe stop notification emails (POST alone is RFC 8058's one-click).

    With a ``republisher`` (the built site), a reader's deletion of a published story rewrites
    its article page at once.

    ``app.state.close()`` releases the database when the app is mounted inside another
    (Starlette runs no lifespan for mounted apps); standalone, the lifespan does it.
    """
    settings = config.comments
    intake = Intake(settings, Pages(config.site), busy_timeout, Mailer.for_config(config))
    receipts = Receipts(intake, republisher)
    unsubscribes = Unsubscribes(intake)
    app = Starlette(
        routes=[
            Route("/", intake.submit, methods=["POST"]),
            Route("/received", intake.received, methods=["GET"]),
            Route("/delete", receipts.confirm, methods=["GET"]),
            Route("/delete", receipts.delete, methods=["POST"]),
            Route("/unsubscribe", unsubscribes.confirm, methods=["GET"]),
            Route("/unsubscribe", unsubscribes.unsubscribe, methods=["POST"]),
            Route("/static/{name}", stylesheet_route(stylesheets(config.site, "stories.css"))),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["POST"],
                allow_headers=["Content-Type", "Accept"],
                max_age=600,
            )
        ],
        exception_handlers={HTTPException: intake.http_error, Exception: intake.server_error},
        lifespan=intake.lifespan,
    )
    app.state.intake = intake
    app.state.close = intake.close
    return app
