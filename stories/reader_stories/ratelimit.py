"""Per-network submission limits that hold across processes sharing one database.

The raw address never leaves this module: the store only sees an HMAC of the network,
keyed with the site secret, so the table cannot be reversed into addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reader_stories.errors import RateLimited
from reader_stories.store import Clock, Store, Tx

if TYPE_CHECKING:
    from starlette.requests import Request

IPV6_PREFIX = 64  # one household or server usually gets a whole /64
MIN_SECRET_LENGTH = 16
UNKNOWN_NETWORK = "0.0.0.0"  # a peer without an IP address (a Unix socket): one shared bucket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_address(text: str) -> IPAddress | None:
    """An address from a header or socket, tolerating ports and IPv4-mapped IPv6."""
    text = text.strip()
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # "203.0.113.7:5678"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _network_of(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))


def _trusted(address: IPAddress, proxies: list[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_network(
    ip: str, trusted_proxies: Iterable[str] = (), forwarded_for: str | None = None
) -> str:
    """The network to rate-limit: the exact IPv4 address, or the /64 of an IPv6 one.

    X-Forwarded-For is believed only when the direct peer is a trusted proxy, and then
    only up to the right-most address that is not itself a trusted proxy (everything
    left of that could have been typed by the client). A malformed entry there means a
    misconfigured proxy, so the peer is used rather than anything the client wrote.
    """
    peer = _parse_address(ip)
    if peer is None:
        raise ValueError(f"not an IP address: {ip!r}")
    proxies = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies]
    if not forwarded_for or not _trusted(peer, proxies):
        return _network_of(peer)
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        address = _parse_address(entry)
        if address is None:
            return _network_of(peer)
        client = address
        if not _trusted(address, proxies):
            break
    return _network_of(client)


def hash_network(network: str, secret: str) -> str:
    """Keyed hash of a network (hex): stable for rate limits, useless without the secret."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the secret must be at least {MIN_SECRET_LENGTH} characters")
    return hmac.new(secret.encode(), network.encode(), hashlib.sha256).hexdigest()


def request_network_hash(
    request: Request, trusted_proxies: Iterable[str], secret: str, purpose: str = ""
) -> str:
    """Keyed hash of the client's network, after ``purpose`` ("login:"): never the raw address."""
    peer = request.client.host if request.client else ""
    forwarded = ", ".join(request.headers.getlist("x-forwarded-for")) or None
    try:
        network = client_network(peer, trusted_proxies, forwarded)
    except ValueError:
        network = UNKNOWN_NETWORK
    return hash_network(f"{purpose}{network}", secret)


def untrusted_forwarder(request: Request, trusted_proxies: Iterable[str]) -> str | None:
    """The peer's address when it sent X-Forwarded-For without being a trusted proxy (then
    every reader behind it shares its one rate limit), else None."""
    if not request.headers.get("x-forwarded-for"):
        return None
    peer = request.client.host if request.client else ""
    address = _parse_address(peer)
    proxies = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies]
    return None if address is not None and _trusted(address, proxies) else peer


def check_rate(store: Store, network_hash: str, limit: int, window: timedelta) -> None:
    """Count this attempt against ``limit`` per ``window`` in a transaction of its own."""
    with store.writing() as tx:
        take_slot(tx, network_hash, limit, window)


def release_slot(store: Store, network_hash: str) -> None:
    """Give back the slot ``check_rate`` took: the attempt turned out not to count."""
    with store.writing() as tx:
        tx.release_rate_event(network_hash)


def purpose_bucket(purpose: str, network: str) -> str:
    """The rate limit's key for one kind of request from a network (follows, "This helped me"):
    a budget apart from the network's stories, with the same length as a network hash."""
    return hashlib.sha256(f"{purpose}:{network}".encode()).hexdigest()


def take_slot(tx: Tx, network_hash: str, limit: int, window: timedelta) -> None:
    """Count this attempt inside the caller's write transaction, or raise RateLimited.

    Counting and recording happen under one write lock, so two processes cannot both take the
    last slot; a refused attempt is not recorded, so waiting out retry_after works. Inside the
    transaction that stores the story, a story that fails to save uses no slot either.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    now = tx.clock()
    since = now - window
    if tx.count_rate_events(network_hash, since) >= limit:
        oldest = tx.oldest_rate_event(network_hash, since)
        until = now + window if oldest is None else oldest + window
        raise RateLimited(seconds_until(until, now), until)
    tx.record_rate_event(network_hash)


def seconds_until(until: datetime, now: datetime) -> int:
    """Whole seconds to wait, never 0: "try again in 0 seconds" would invite a retry loop."""
    return max(1, math.ceil((until - now).total_seconds()))


class KnownLimits:
    """Networks this process saw refused, remembered until their oldest counted attempt leaves
    the window, so the next attempt from one is refused without a write.

    The store stays the authority: only it refuses a network for the first time, and a
    remembered refusal ends exactly when the store's would (slots are never given back before
    they expire). Under a flood, most bot attempts come from networks already at their limit;
    answering them here keeps them from rendering, scoring and queueing for the write lock in
    front of real readers. Bounded: past ``size`` networks, the ones whose wait is over go
    first, then the oldest.
    """

    def __init__(self, clock: Clock, size: int = 10_000) -> None:
        self.clock = clock
        self.size = size
        self._until: dict[str, datetime] = {}

    def refused(self, network_hash: str, until: datetime) -> None:
        self._until.pop(network_hash, None)
        self._until[network_hash] = until
        if len(self._until) > self.size:
            self._forget()

    def wait(self, network_hash: str) -> int | None:
        """Seconds this network must still wait, or None when only the store can tell."""
        until = self._until.get(network_hash)
        if until is None:
            return None
        now = self.clock()
        if until <= now:
            del self._until[network_hash]
            return None
        return seconds_until(until, now)

    def _forget(self) -> None:
        now = self.clock()
        for network_hash in [n for n, until in self._until.items() if until <= now]:
            del self._until[network_hash]
        while len(self._until) > self.size:
            del self._until[next(iter(self._until))]
