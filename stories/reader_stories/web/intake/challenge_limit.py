"""How many proof-of-work challenges one network gets: a reader needs one per story form they
start, a script harvesting them to solve in bulk, or just making the intake work, needs many.

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

CHALLENGES = 30  # per network, over WINDOW
WINDOW = 600.0  # seconds
# Networks remembered at most, the least recently seen forgotten first: a flood from many
# networks costs a bounded amount of memory.
NETWORKS = 10_000


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
