"""Client networks behind proxies, keyed hashes, and limits shared across processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import store_calls as calls
from stories_support import FakeClock

from reader_stories.errors import RateLimited
from reader_stories.ratelimit import KnownLimits, check_rate, client_network, hash_network
from reader_stories.store import Store, open_store

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::1"]
SECRET = "k" * 32


@pytest.mark.parametrize(
    ("ip", "proxies", "forwarded_for", "network"),
    [
        pytest.param("203.0.113.7", [], None, "203.0.113.7", id="ipv4-exact"),
        pytest.param("203.0.113.7:5123", [], None, "203.0.113.7", id="ipv4-with-port"),
        pytest.param("2001:db8:1:2:3:4:5:6", [], None, "2001:db8:1:2::/64", id="ipv6-slash-64"),
        pytest.param("[2001:db8:1:2::9]:443", [], None, "2001:db8:1:2::/64", id="ipv6-port"),
        pytest.param("::ffff:203.0.113.7", [], None, "203.0.113.7", id="ipv4-mapped"),
        pytest.param(
            "203.0.113.7", [], "198.51.100.1", "203.0.113.7", id="no-proxies-header-ignored"
        ),
        pytest.param(
            "203.0.113.7", PROXIES, "198.51.100.1", "203.0.113.7", id="untrusted-peer-ignored"
        ),
        pytest.param("10.1.2.3", PROXIES, None, "10.1.2.3", id="trusted-peer-no-header"),
        pytest.param("10.1.2.3", PROXIES, "198.51.100.1", "198.51.100.1", id="one-proxy"),
        pytest.param(
            "10.1.2.3",
            PROXIES,
            "6.6.6.6, 198.51.100.1, 10.9.9.9",
            "198.51.100.1",
            id="spoofed-left-ignored",
        ),
        pytest.param(
            "2001:db8:ffff::1",
            PROXIES,
            "2001:db8:aaaa:bbbb::42",
            "2001:db8:aaaa:bbbb::/64",
            id="ipv6-proxy",
        ),
        pytest.param("10.1.2.3", PROXIES, "10.5.5.5, 10.6.6.6", "10.5.5.5", id="all-trusted"),
        pytest.param("10.1.2.3", PROXIES, "198.51.100.1, junk", "10.1.2.3", id="junk-hop"),
        pytest.param(
            "10.1.2.3", PROXIES, "junk, 198.51.100.1", "198.51.100.1", id="junk-left-ignored"
        ),
        pytest.param("10.1.2.3", PROXIES, "198.51.100.1:4711", "198.51.100.1", id="header-port"),
    ],
)
def test_client_network(
    ip: str, proxies: list[str], forwarded_for: str | None, network: str
) -> None:
    assert client_network(ip, proxies, forwarded_for) == network


def test_client_network_refuses_a_peer_that_is_not_an_address() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        client_network("localhost")


def test_hash_network_is_keyed_stable_and_hides_the_address() -> None:
    digest = hash_network("203.0.113.7", SECRET)
    assert digest == hash_network("203.0.113.7", SECRET)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != hash_network("203.0.113.7", "j" * 32)
    assert digest != hash_network("203.0.113.8", SECRET)
    assert "203" not in digest or digest.count("203") < 3


def test_hash_network_refuses_a_short_secret() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        hash_network("203.0.113.7", "short")


def test_check_rate_allows_the_limit_then_says_how_long_to_wait(
    store: Store, clock: FakeClock
) -> None:
    window = timedelta(minutes=10)
    for _ in range(3):
        check_rate(store, "net", 3, window)
        clock.advance(seconds=30)
    with pytest.raises(RateLimited) as limited:
        check_rate(store, "net", 3, window)
    assert limited.value.retry_after == 510  # the first attempt leaves the window then
    check_rate(store, "other-net", 3, window)
    clock.advance(seconds=510)
    check_rate(store, "net", 3, window)


def test_a_refused_attempt_is_not_counted(store: Store, clock: FakeClock) -> None:
    window = timedelta(minutes=1)
    check_rate(store, "net", 1, window)
    for _ in range(5):
        with pytest.raises(RateLimited):
            check_rate(store, "net", 1, window)
    assert calls.count_rate_events(store, "net", clock.now - window) == 1


def test_the_limit_holds_across_two_stores_on_one_file(db_url: str, clock: FakeClock) -> None:
    window = timedelta(hours=1)
    with open_store(db_url, clock=clock) as one, open_store(db_url, clock=clock) as two:
        check_rate(one, "net", 2, window)
        check_rate(two, "net", 2, window)
        for store in (one, two):
            with pytest.raises(RateLimited):
                check_rate(store, "net", 2, window)


def test_a_limit_below_one_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        check_rate(store, "net", 0, timedelta(minutes=1))


def test_a_refusal_says_when_the_oldest_attempt_leaves_the_window(
    store: Store, clock: FakeClock
) -> None:
    window = timedelta(minutes=10)
    check_rate(store, "net", 1, window)
    first = clock.now
    clock.advance(seconds=30.5)
    with pytest.raises(RateLimited) as limited:
        check_rate(store, "net", 1, window)
    assert limited.value.until == first + window
    assert limited.value.retry_after == 570  # 569.5 s, rounded up


def test_known_limits_answer_as_the_store_would_until_the_wait_is_over(clock: FakeClock) -> None:
    known = KnownLimits(clock)
    assert known.wait("net") is None
    known.refused("net", clock.now + timedelta(seconds=90.5))
    assert known.wait("net") == 91
    assert known.wait("other-net") is None
    clock.advance(seconds=90)
    assert known.wait("net") == 1  # never 0: half a second is still a wait
    clock.advance(seconds=0.5)
    assert known.wait("net") is None  # the store would count again now


def test_known_limits_forget_finished_waits_first_then_the_oldest(clock: FakeClock) -> None:
    known = KnownLimits(clock, size=2)
    known.refused("short", clock.now + timedelta(seconds=10))
    known.refused("long", clock.now + timedelta(seconds=600))
    clock.advance(seconds=20)
    known.refused("new", clock.now + timedelta(seconds=600))
    assert [known.wait(n) for n in ("short", "long", "new")] == [None, 580, 600]
    known.refused("newer", clock.now + timedelta(seconds=600))
    assert [known.wait(n) for n in ("long", "new", "newer")] == [None, 600, 600]
