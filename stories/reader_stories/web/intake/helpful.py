""" "This helped me": a plain form POST under each published story, no cookies, no script needed.

Each reader network counts once per story (the store keeps one mark per network), and presses
are limited per network as stories are. The count reaches the static page through the
republisher, batched: every press within a few seconds rewrites each article's page once, so a
popular story does not rewrite its page for every click.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import RateLimited, StoreUnavailable, StoryNotFound
from reader_stories.pages.republish import LivePages
from reader_stories.ratelimit import purpose_bucket, request_network_hash, take_slot
from reader_stories.store import Store
from reader_stories.store.helpful import HelpfulMark
from reader_stories.web.body import check_media_type, read_form
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.intake.pages import wait_text

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

log = logging.getLogger(__name__)

# Presses per network and hour: far more than a reader reading every story of a long thread.
HELPFUL_LIMIT = 60
HELPFUL_WINDOW = timedelta(hours=1)
# Presses within this many seconds of the first rewrite each page once.
REFRESH_DELAY = 5.0

MSG_COUNTED = "Thank you: it is counted, and the page shows it within a minute."
MSG_ALREADY = "Thank you: your network had already said so, and each network counts once."
MSG_NOT_PUBLISHED = "That story is not published any more, so it cannot be marked as helpful."
MSG_WHICH = "The form did not say which story helped you. Reload the page and try again."
MSG_RATE = "You have marked many stories in a short time. Please wait {wait} and try again."
MSG_STORE = "We could not count that just now. Please try again in a few minutes."


def story_id_from(text: str | None) -> int:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 12:
        raise Refused(400, MSG_WHICH)
    story_id = int(text)
    if story_id < 1:
        raise Refused(400, MSG_WHICH)
    return story_id


class PageRefresher:
    """Rewrites the articles whose counts changed, once per burst, on a timer thread."""

    def __init__(
        self, store: Callable[[], Store], republisher: LivePages, delay: float = REFRESH_DELAY
    ) -> None:
        self.store = store
        self.republisher = republisher
        self.delay = delay
        self._lock = threading.Lock()
        self._waiting: set[str] = set()
        self._timer: threading.Timer | None = None

    def touch(self, slug: str) -> None:
        with self._lock:
            self._waiting.add(slug)
            if self._timer is None:
                self._timer = threading.Timer(self.delay, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Rewrite every waiting article now (the timer's job, and the last act at shutdown)."""
        with self._lock:
            slugs, self._waiting = sorted(self._waiting), set()
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if not slugs:
            return
        try:
            self.republisher.articles(self.store(), slugs)
        except Exception:  # the counts are safe in the store; the next build shows them
            log.exception("Could not rewrite %s with the new helpful counts", ", ".join(slugs))


class Helpful:
    """POST /helped: count a press for a published story."""

    def __init__(self, intake: Intake, republisher: LivePages | None) -> None:
        self.intake = intake
        self.refresher = None if republisher is None else PageRefresher(intake.store, republisher)

    def _mark(self, story_id: int, network: str) -> HelpfulMark:
        try:
            with self.intake.store().writing() as tx:
                take_slot(tx, purpose_bucket("helpful", network), HELPFUL_LIMIT, HELPFUL_WINDOW)
                return tx.mark_helpful(story_id, network)
        except RateLimited as exc:
            wait = MSG_RATE.format(wait=wait_text(exc.retry_after))
            raise Refused(429, wait, retry_after=exc.retry_after) from None
        except StoryNotFound:
            raise Refused(404, MSG_NOT_PUBLISHED) from None
        except StoreUnavailable as exc:
            log.warning("Helpful mark not saved, database unavailable: %s", exc)
            raise Refused(503, MSG_STORE, retry_after=STORE_RETRY_AFTER) from None

    async def mark(self, request: Request) -> Response:
        intake = self.intake
        try:
            kind = check_media_type(request)
            intake.check_origin(request)
            settings = intake.settings
            form = await read_form(request, kind, settings.max_body_bytes, intake.read_timeouts)
            story_id = story_id_from(form.get("story"))
            network = request_network_hash(request, settings.trusted_proxies, settings.secret_key)
            marked = await run_in_threadpool(self._mark, story_id, network)
        except Refused as refusal:
            return intake.pages.refused(request, refusal)
        if marked.counted and self.refresher is not None:
            self.refresher.touch(marked.article)
        message = MSG_COUNTED if marked.counted else MSG_ALREADY
        return intake.pages.helped(request, marked, story_id, message)

    def close(self) -> None:
        if self.refresher is not None:
            self.refresher.flush()
