"""The reader-story intake: a small ASGI app that takes the story form and queues it for moderation.

It deploys alone behind a reverse proxy, mounted at /stories, so it never imports Pelican: only
the stories modules for settings, tokens, validation, rate limits and the store. A story is
acknowledged only after its transaction has committed; every refusal is a page (or JSON for
stories.js) that tells the reader what to do next, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from functools import cached_property
from typing import cast
from urllib.parse import urlsplit

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
    ArticleClosed,
    DuplicateSubmission,
    InvalidToken,
    QueueFull,
    RateLimited,
    StoreUnavailable,
    StoriesError,
    ValidationFailed,
)
from reader_stories.models import Submission
from reader_stories.moderation.holds import hold_for
from reader_stories.moderation.spam.learner import Learner
from reader_stories.moderation.spam.proof import FIELD as PROOF_FIELD
from reader_stories.moderation.spam.proof import (
    SOLVED,
    ProofKeys,
    proof_id,
    proof_signals,
)
from reader_stories.moderation.spam.score import (
    Score,
    arrived,
    make_room,
    score_story,
    with_repeats,
    with_spent_proof,
)
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import queue_new_story
from reader_stories.pages.republish import Republisher
from reader_stories.proxies import ProxyWatch
from reader_stories.ratelimit import (
    KnownLimits,
    request_network_hash,
    take_slot,
    untrusted_forwarder,
)
from reader_stories.settings import CommentsSettings
from reader_stories.store import DEFAULT_BUSY_TIMEOUT, Clock, LazyStore, Tx, utc_now
from reader_stories.store.batching import BatchWriter
from reader_stories.threads import Thread, threads
from reader_stories.tokens import check_article_token, make_article_token, make_receipt_token
from reader_stories.validation import validate_submission
from reader_stories.web.body import READ_TIMEOUTS, ReadTimeouts, check_media_type, read_form
from reader_stories.web.errors import QUEUE_RETRY_AFTER, STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.challenges import Challenges
from reader_stories.web.intake.change import Changes
from reader_stories.web.intake.closed import closed_answer
from reader_stories.web.intake.confirm import Confirmations
from reader_stories.web.intake.follow import Follows
from reader_stories.web.intake.helpful import Helpful
from reader_stories.web.intake.pages import (
    Pages,
    field_messages,
    plausible_slug,
    wait_text,
    wants_json,
)
from reader_stories.web.intake.receipts import Receipts, carried_receipt, carry_receipt
from reader_stories.web.intake.unsubscribe import Unsubscribes
from reader_stories.web.redirects import relative_slash_redirects
from reader_stories.web.startup import start_up
from reader_stories.web.static import stylesheet_route, stylesheets

log = logging.getLogger(__name__)

# Seconds a shutdown waits for the spam classifier's training to finish with the store.
LEARNER_SHUTDOWN = 30.0


MSG_ORIGIN = (
    "This form cannot be sent from another website. Open the article on {sitename} and send "
    "your story from the form there."
)
MSG_TOKEN = (
    "This form is out of date or was changed, so we could not accept it. Copy your story, "
    "reload the article page and send it again."
)
MSG_RATE = "You have sent several stories in a short time. Please wait {wait} and send yours again."
# One answer whatever became of the first copy: anyone can send a text they read elsewhere, so
# what a moderator did with it is not theirs to learn. A reader who sent it twice needs to hear
# that it arrived and that it goes through moderation like any story.
MSG_DUPLICATE = (
    "We already have this story, so there is no need to send it again. Every story is read by "
    "a moderator before it appears under the article; to add something, send it in your own "
    "words as a new story."
)
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


# The sample story Intake.warm checks and scores at start: Markdown, a quotation and an entity,
# so the renderer and the sanitiser both load; no link, which a site may refuse altogether.
WARM_UP_FORM = {
    "article": "warm-up",
    "name": "Warm-up",
    "story": "A *sample* story, checked &amp; scored at start:\n\n> never stored, never shown.",
    "consent": "yes",
}
WARM_UP_NETWORK = "0" * 64


def _rate_refusal(seconds: int) -> Refused:
    """The answer to a network at its limit, whether the store or this process knew it."""
    return Refused(429, MSG_RATE.format(wait=wait_text(seconds)), retry_after=seconds)


def _duplicate(
    tx: Tx, submission: Submission, within: timedelta | None
) -> DuplicateSubmission | None:
    """The refusal for the same story sent to the same article a short while ago, if it was."""
    if within is None:
        return None
    existing = tx.recent_duplicate_story(submission.article, submission.body_hash, within)
    return None if existing is None else DuplicateSubmission(*existing)


class Intake:
    """The service's state: settings, pages, and one store opened on first use."""

    def __init__(
        self,
        settings: CommentsSettings,
        pages: Pages,
        busy_timeout: float,
        mailer: Mailer | None = None,
        read_timeouts: ReadTimeouts = READ_TIMEOUTS,
        proxies: ProxyWatch | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.pages = pages
        self.mailer = mailer
        self.read_timeouts = read_timeouts
        self.proxies = proxies
        self.store = LazyStore(settings.database_url, busy_timeout, clock)
        self.known_limits = KnownLimits(clock)
        self.writer: BatchWriter[tuple[Submission, str, Score]] = BatchWriter(
            self.store, self._write_one, deferrable=self._suspected_by_text
        )
        # The spam classifier, trained from the store's decisions in a background thread.
        self.learner = Learner() if settings.spam_learning else None
        # Run before the database is released: the helpful counts' last page rewrite.
        self.closing: list[Callable[[], None]] = []

    def close(self) -> None:
        """Release the database; safe to call twice, and the next request reopens it."""
        for step in self.closing:
            step()
        if self.learner is not None:
            self.learner.wait(LEARNER_SHUTDOWN)
        self.store.close()

    def warm(self) -> None:
        """Open the store and check and score a sample story, never stored, so the first
        reader after a start waits no longer than the next (see web/startup.py)."""
        try:
            self.store()
        except StoriesError as exc:
            log.warning("Story database unavailable at startup, retrying per request: %s", exc)
            return
        if self.learner is not None:
            self.learner.refresh(self.store)
        sample = validate_submission(
            WARM_UP_FORM, ip_hash=WARM_UP_NETWORK, author_name=self.settings.author_name
        )
        sample.prepare()
        score_story(sample, self.learner, self.settings.spam_script, frozenset())

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        """Standalone: migrate and warm before the first request, close at shutdown."""
        await start_up([self.warm], freeze=False)
        try:
            yield
        finally:
            await run_in_threadpool(self.close)

    # Routes

    async def submit(self, request: Request) -> Response:
        form: dict[str, str] = {}
        try:
            kind = check_media_type(request)
            self.check_origin(request)
            form = await read_form(request, kind, self.settings.max_body_bytes, self.read_timeouts)
            network = request_network_hash(
                request, self.settings.trusted_proxies, self.settings.secret_key
            )
            if self.proxies is not None:
                self.proxies.saw(untrusted_forwarder(request, self.settings.trusted_proxies))
            if form.get("intent") != "preview":  # a preview takes no slot, so is never limited
                await self._known_limit(network, form.get("article", ""))
            # In a thread: validating, rendering, fingerprinting and scoring take time that
            # grows with the text, and on the event loop one slow form would hold up every
            # other request. One hop for all of it: each hop costs a thread switch.
            submission, score = await run_in_threadpool(self._check_and_score, form, network)
            if score is None:
                return await self._preview(request, form, submission)
            story_id = await self._save(submission, network, score)
        except Refused as refusal:
            return self.pages.refused(request, refusal, form.get("article"))
        except ValidationFailed as failed:
            return await self._invalid(request, form, failed)
        except ArticleClosed:
            return closed_answer(self.pages, request, form)
        receipt = make_receipt_token(self.settings.secret_key, story_id)
        response = self.pages.accepted(request, form["article"], receipt)
        if response.status_code == 303:  # the plain form: the receipt rides in a cookie
            carry_receipt(response, request, self.settings, receipt)
        return response

    async def received(self, request: Request) -> Response:
        return self.pages.received(request, carried_receipt(request, self.settings))

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

    def check_origin(self, request: Request) -> None:
        """A story, as a form or as JSON, comes from a page of the site or of this intake.

        Browsers name the page's origin in every POST; another website's page is refused (a
        form post needs no script, so checking JSON alone left forms open to any site). No
        Origin header at all still passes: old browsers and some privacy tools leave it out.
        """
        origin = request.headers.get("origin")
        if origin is None:
            return
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin != own and origin not in self.allowed_origins:
            raise Refused(403, MSG_ORIGIN.format(sitename=self.pages.site.sitename))

    @cached_property
    def allowed_origins(self) -> frozenset[str]:
        """The settings' origins, and the intake's own public one when it has an address."""
        allowed = {o.rstrip("/") for o in self.settings.allowed_origins}
        parts = urlsplit(self.settings.intake_url)
        if parts.scheme and parts.netloc:
            allowed.add(f"{parts.scheme}://{parts.netloc}")
        return frozenset(allowed)

    async def _known_limit(self, network: str, slug: str) -> None:
        """Refuse at once a network this process saw refused and whose wait is not over.

        Before the form is checked: most of a flood comes from networks at their limit, and
        checking, rendering and scoring their stories would only delay the readers behind them.
        A closed article still answers first, as in the write (see _write_one).
        """
        wait = self.known_limits.wait(network)
        if wait is None:
            return
        if await run_in_threadpool(self._closed, slug):
            raise ArticleClosed(slug)
        raise _rate_refusal(wait)

    def _closed(self, slug: str) -> bool:
        try:
            with self.store().reading() as tx:
                return tx.article_closed(slug)
        except StoriesError:  # the store is down: the wait the process knows still holds
            return False

    def _check(self, form: dict[str, str], network: str) -> Submission:
        """The article token, then every field; raises to refuse.

        The story is rendered and fingerprinted here too, so the write batch, which holds the
        database's write lock, does nothing but SQL.
        """
        token = form.get("token", "")
        try:
            if not token:
                raise InvalidToken("no token")
            check_article_token(self.settings.signing_keys, token, form.get("article", ""))
        except InvalidToken:
            raise Refused(400, MSG_TOKEN) from None
        submission = validate_submission(
            form,
            ip_hash=network,
            max_links=self.settings.max_links,
            author_name=self.settings.author_name,
        )
        submission.prepare()
        return submission

    @cached_property
    def proof_keys(self) -> ProofKeys:
        return ProofKeys.from_secret(self.settings.secret_key)

    def _check_and_score(
        self, form: dict[str, str], network: str
    ) -> tuple[Submission, Score | None]:
        """The checked submission and its spam score from the text alone (None for a preview,
        which is never stored). The repeats and the hold are decided in the write."""
        submission = self._check(form, network)
        if form.get("intent") == "preview":
            return submission, None
        if self.learner is not None:
            self.learner.refresh(self.store)
        payload = form.get(PROOF_FIELD, "")
        proven = proof_signals(self.proof_keys, payload, submission.article, utc_now())
        score = score_story(submission, self.learner, self.settings.spam_script, proven)
        if SOLVED in proven:  # spent when the story is stored: a proof counts for one story
            score = replace(score, proof_id=proof_id(payload))
        return submission, score

    def _suspected_by_text(self, item: tuple[Submission, str, Score]) -> bool:
        """Whether the story's text alone already holds it (or it filled the honeypot): it is
        written after readers' stories that wait with it (store/batching.py)."""
        submission, _, score = item
        return submission.honeypot or score.hold(self.settings.spam_threshold) is not None

    def _write_one(self, tx: Tx, item: tuple[Submission, str, Score]) -> int | Exception:
        """One story's checks and writes, inside the batch's transaction (in its own savepoint).

        An article whose stories are closed refuses first, before the rate limit: the reader
        did nothing wrong, their page was only older than the closing. Then the rate limit,
        and a duplicate counts against it like any other attempt: its answer tells whether a
        text is on file, so asking costs a slot. The duplicate is returned rather than raised,
        so the batch keeps the slot it took. Last, the hold (moderation/holds.py), which the
        reader's answer never shows.
        """
        submission, network, score = item
        settings = self.settings
        if submission.article in tx.once("closed_articles", tx.closed_slugs):
            raise ArticleClosed(submission.article)
        window = timedelta(seconds=settings.rate_limit.seconds)
        take_slot(tx, network, settings.rate_limit.count, window)
        duplicate = _duplicate(tx, submission, timedelta(seconds=settings.duplicate_window) or None)
        if duplicate is not None:
            return duplicate
        # Suspected spam at the threshold, counting the same text sent to other articles (a
        # hold the submission already has stays as it is). A blocked writer or a listed word
        # holds a story whatever its score; the reader's answer never shows a hold. The story
        # keeps its final score either way, for the moderator.
        score = with_spent_proof(tx, with_repeats(tx, score, submission.article))
        submission = submission.with_spam(score.kept)
        suspected = score.hold(settings.spam_threshold)
        if suspected is not None and submission.hold is None:
            submission = submission.with_hold(suspected)
        listed_or_blocked = hold_for(tx, submission, settings.secret_key)
        if listed_or_blocked is not None:
            submission = submission.with_hold(listed_or_blocked)
        if submission.hold is not None and not submission.honeypot:
            make_room(tx, settings.max_held)
        # The duplicate check above ran in this same savepoint: no need to repeat it.
        story = tx.add_submission(submission, max_pending=settings.max_pending)
        arrived(tx, story, score)
        # Queued, not sent: a mail server that is down never holds up the reader.
        queue_new_story(tx, self.mailer, story)
        return story.id

    async def _save(self, submission: Submission, network: str, score: Score) -> int:
        """Commit before answering: once this returns, the story survives a crash.

        Stories sent at the same moment share one commit (group commit, see batching.py).
        """
        try:
            story_id = await self.writer.write((submission, network, score))
        except RateLimited as exc:
            self.known_limits.refused(network, exc.until)
            raise _rate_refusal(exc.retry_after) from None
        except DuplicateSubmission:
            raise Refused(409, MSG_DUPLICATE) from None
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

    async def _preview(
        self, request: Request, form: dict[str, str], submission: Submission
    ) -> Response:
        """Checked like a story to send (token and every field), shown, and not stored: no
        rate-limit slot is taken, so a reader can preview as often as they need."""
        grouped: list[Thread] = []
        if not wants_json(request):
            grouped = await run_in_threadpool(self._threads, submission.article)
        return self.pages.preview(request, form, submission, grouped, form.get("token", ""))

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
    read_timeouts: ReadTimeouts = READ_TIMEOUTS,
    clock: Clock = utc_now,
) -> Starlette:
    """The intake, to mount at /stories: POST / takes a story (or, with intent=preview, shows
    it), GET /challenge gives stories.js a proof-of-work challenge, GET /received thanks the
    reader, POST /helped counts "This helped me", GET and POST /delete let a reader delete
    their story with the receipt, GET and POST /confirm confirm an email address, GET and POST
    /unsubscribe stop notification emails (POST alone is RFC 8058's one-click); POST /follow
    follows the article, and GET and POST /follow/confirm and /follow/unsubscribe confirm and
    end a follow.

    With a ``republisher`` (the built site), a reader's deletion of a published story rewrites
    its article page at once. ``read_timeouts`` bound how long a request body may take;
    ``clock`` is the store's (how long a writer may still change a published story).

    ``app.state.close()`` releases the database when the app is mounted inside another
    (Starlette runs no lifespan for mounted apps); standalone, the lifespan does it.
    """
    settings = config.comments
    mailer = Mailer.for_config(config)
    proxies = ProxyWatch(config.state)
    intake = Intake(
        settings, Pages(config.site), busy_timeout, mailer, read_timeouts, proxies, clock
    )
    receipts = Receipts(intake, republisher)
    changes = Changes(receipts)
    challenges = Challenges(intake)
    helpful = Helpful(intake, republisher)
    intake.closing.append(helpful.close)
    confirmations = Confirmations(intake)
    unsubscribes = Unsubscribes(intake)
    follows = Follows(intake)
    app = Starlette(
        routes=[
            Route("/", intake.submit, methods=["POST"]),
            Route("/received", intake.received, methods=["GET"]),
            Route("/challenge", challenges.challenge, methods=["GET"]),
            Route("/helped", helpful.mark, methods=["POST"]),
            Route("/delete", receipts.confirm, methods=["GET"]),
            Route("/delete", receipts.delete, methods=["POST"]),
            Route("/change", changes.change, methods=["POST"]),
            Route("/confirm", confirmations.confirm, methods=["GET"]),
            Route("/confirm", confirmations.confirmed, methods=["POST"]),
            Route("/unsubscribe", unsubscribes.confirm, methods=["GET"]),
            Route("/unsubscribe", unsubscribes.unsubscribe, methods=["POST"]),
            Route("/follow", follows.follow, methods=["POST"]),
            Route("/follow/confirm", follows.confirm_page, methods=["GET"]),
            Route("/follow/confirm", follows.confirm, methods=["POST"]),
            Route("/follow/unsubscribe", follows.unsubscribe_page, methods=["GET"]),
            Route("/follow/unsubscribe", follows.unsubscribe, methods=["POST"]),
            Route("/static/{name}", stylesheet_route(stylesheets(config.site, "stories.css"))),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Accept"],
                max_age=600,
            )
        ],
        exception_handlers={HTTPException: intake.http_error, Exception: intake.server_error},
        lifespan=intake.lifespan,
    )
    relative_slash_redirects(app)
    app.state.intake = intake
    app.state.close = intake.close
    app.state.warm = intake.warm
    return app
