"""GET /stories/challenge?article=SLUG: the proof-of-work challenges stories.js's widget solves
(moderation/spam/proof.py), and how many one network gets: a reader needs one per story form
they start, a script harvesting them to solve in bulk, or just making the intake work, many.

Counted in the process's memory, not in the store: a challenge is signed, not stored, so
counting it in the database would make the cheapest request the intake answers a write that
queues with the readers' stories. With several workers, each counts its own share, so a network
gets up to that many times the limit; the rate limit on stories, which the store keeps, is the
one that holds across them.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from reader_stories.moderation.spam.proof import new_challenge
from reader_stories.ratelimit import request_network_hash
from reader_stories.store import utc_now
from reader_stories.web.errors import Refused
from reader_stories.web.intake.pages import plausible_slug, wait_text

if TYPE_CHECKING:
    from reader_stories.web.intake.app import Intake

CHALLENGES = 30  # per network, over WINDOW
WINDOW = 600.0  # seconds
# Networks remembered at most, the least recently seen forgotten first: a flood from many
# networks costs a bounded amount of memory.
NETWORKS = 10_000

MSG_CHALLENGES = (
    "Your network has asked for many proof-of-work challenges in a short time. Please wait "
    "{wait}; meanwhile a story sent without one still arrives."
)
MSG_NO_ARTICLE = (
    "A challenge is for one article: give its address, like ?article=asking-for-a-raise."
)


class ChallengeLimit:
    """A sliding window per network hash; used from the event loop only, so it takes no lock."""

    def __init__(
        self,
        limit: int = CHALLENGES,
        window: float = WINDOW,
        networks: int = NETWORKS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.networks = networks
        self.clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def take(self, network: str) -> int | None:
        """Count one challenge for ``network``: None when it may have it, else the whole
        seconds to wait until the oldest one in the window leaves it."""
        now = self.clock()
        times = self._seen.pop(network, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        self._seen[network] = times  # the most recently seen network goes last
        if len(times) >= self.limit:
            return max(1, math.ceil(times[0] + self.window - now))
        times.append(now)
        while len(self._seen) > self.networks:
            self._seen.popitem(last=False)
        return None


class Challenges:
    """The route, with this process's count of the challenges handed out."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.limit = ChallengeLimit()

    async def challenge(self, request: Request) -> Response:
        """GET /challenge?article=SLUG: a signed challenge for one article, or a refusal."""
        intake = self.intake
        slug = plausible_slug(request.query_params.get("article"))
        if not slug:
            return intake.pages.refused(request, Refused(400, MSG_NO_ARTICLE))
        settings = intake.settings
        network = request_network_hash(request, settings.trusted_proxies, settings.secret_key)
        wait = self.limit.take(network)
        if wait is not None:  # the widget gives up, and the story goes without a proof
            refusal = Refused(429, MSG_CHALLENGES.format(wait=wait_text(wait)), retry_after=wait)
            return intake.pages.refused(request, refusal)
        challenge = new_challenge(intake.proof_keys, slug, utc_now())
        return intake.pages.json(challenge, 200, {"Cache-Control": "no-store"})
