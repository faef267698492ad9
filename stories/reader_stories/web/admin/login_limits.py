"""How many failed logins are allowed, counted per name and network, per network, and per name.

Only failures count. Each attempt takes a slot under all three keys before its password is
checked (so parallel guesses cannot slip past a limit) and a correct login gives them back: a
moderator who logs in is never counted, and never held up by someone else's failures, unless
their whole network is over its limit. The three limits, all over 15 minutes:

- 5 failures for one name from one network hold up that name from that network: someone
  guessing at Mia's password from a café stops Mia there, not the others, not Mia at the office;
- 20 failures from one network, whatever the names, hold up the network (guessing many names,
  known or not, from one place);
- 20 failures for one name, whatever the networks, hold up that name everywhere (guessing one
  password from many places).

The keys are keyed hashes (HMAC with the secret) of the case-folded name and of the network, so
the store's rate events hold neither a name nor an address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from reader_stories.accounts.names import name_key
from reader_stories.ratelimit import hash_network
from reader_stories.settings import RateLimit
from reader_stories.store import Store, Tx

WINDOW = 15 * 60


@dataclass(frozen=True)
class LoginLimits:
    name_on_network: RateLimit
    network: RateLimit
    name: RateLimit


LOGIN_LIMITS = LoginLimits(
    name_on_network=RateLimit(5, WINDOW), network=RateLimit(20, WINDOW), name=RateLimit(20, WINDOW)
)


class LoginHeld(Exception):
    """Too many failures; ``scope`` is "name" (this name is held up) or "network"."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        super().__init__(f"too many failed logins for this {scope}")


@dataclass(frozen=True)
class LoginKeys:
    """The three rate-event keys of one login attempt."""

    name_on_network: str
    network: str
    name: str

    @classmethod
    def of(cls, secret: str, network_hash: str, name: str) -> LoginKeys:
        """``network_hash``: the client network's keyed hash ("login:" purpose)."""
        folded = name_key(name)
        return cls(
            name_on_network=hash_network(f"login-name:{folded}:{network_hash}", secret),
            network=network_hash,
            name=hash_network(f"login-name:{folded}", secret),
        )

    def all(self) -> tuple[str, str, str]:
        return (self.name_on_network, self.network, self.name)


def _wait(tx: Tx, key: str, limit: RateLimit) -> int | None:
    """Seconds until ``key`` is under ``limit`` again; None when it is under it now."""
    window = timedelta(seconds=limit.seconds)
    since: datetime = tx.clock() - window
    if tx.count_rate_events(key, since) < limit.count:
        return None
    oldest = tx.oldest_rate_event(key, since)
    wait = window if oldest is None else oldest + window - tx.clock()
    return max(1, math.ceil(wait.total_seconds()))


def take_login_slots(store: Store, keys: LoginKeys, limits: LoginLimits) -> None:
    """Count this attempt under every key, all or none, or raise LoginHeld (the network's limit
    first: that answer says the most)."""
    checks = (
        ("network", keys.network, limits.network),
        ("name", keys.name_on_network, limits.name_on_network),
        ("name", keys.name, limits.name),
    )
    with store.writing() as tx:
        for scope, key, limit in checks:
            wait = _wait(tx, key, limit)
            if wait is not None:
                raise LoginHeld(scope, wait)
        for key in keys.all():
            tx.record_rate_event(key)


def give_back_login_slots(store: Store, keys: LoginKeys) -> None:
    """A correct login: the attempt does not count under any key."""
    with store.writing() as tx:
        for key in keys.all():
            tx.release_rate_event(key)
