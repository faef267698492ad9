"""The login limits count failures only: moderators logging in never lock each other out, and
guesses are still stopped, per name and network, per network and per name (SQLite and
PostgreSQL, over real HTTP)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import test_admin
from argon2 import PasswordHasher
from stories_support import FakeClock
from test_admin import PASSWORD, Served, form_value

from reader_stories.accounts import manage
from reader_stories.accounts.login import dummy_hash
from reader_stories.accounts.names import Role
from reader_stories.store import Store
from reader_stories.web.admin.login_limits import (
    LOGIN_LIMITS,
    LoginHeld,
    LoginKeys,
    give_back_login_slots,
    take_login_slots,
)
from reader_stories.web.admin.passwords import hash_password

start = test_admin.start  # the admin on a real port, as the other admin tests start it
HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
MIA, ALEX = "mia's long password", "alex's long password"


def attempt(served: Served, password: str, network: str | None = None) -> int:
    """One login from a fresh browser (behind the trusted proxy when ``network`` is given)."""
    client = served.new_client()
    headers = {"X-Forwarded-For": network} if network else {}
    token = form_value(client.get("/admin/login"), "csrf")
    answer = client.post(
        "/admin/login", data={"csrf": token, "password": password}, headers=headers
    )
    return answer.status_code


def test_correct_logins_never_count_toward_the_limit(
    start: Callable[..., Served], store: Store
) -> None:
    served = start()
    assert [attempt(served, PASSWORD) for _ in range(12)] == [303] * 12
    with store.reading() as tx:
        assert tx.conn.exec_driver_sql("SELECT count(*) FROM rate_events").scalar() == 0


def test_failures_still_count_per_network_around_correct_logins(
    start: Callable[..., Served],
) -> None:
    served = start(trusted_proxies=("127.0.0.1",))
    office = "198.51.100.7"
    answers = [attempt(served, "guess one", office) for _ in range(4)]
    answers.append(attempt(served, PASSWORD, office))  # between the failures: not counted
    answers.append(attempt(served, "guess five", office))
    answers.append(attempt(served, PASSWORD, office))  # five failures: now refused
    assert answers == [422, 422, 422, 422, 303, 422, 429]
    assert attempt(served, PASSWORD, "203.0.113.9") == 303  # another network is not held up


def named_attempt(served: Served, name: str, password: str, network: str) -> int:
    client = served.new_client()
    token = form_value(client.get("/admin/login"), "csrf")
    answer = client.post(
        "/admin/login",
        data={"csrf": token, "name": name, "password": password},
        headers={"X-Forwarded-For": network},
    )
    return answer.status_code


@pytest.fixture
def two_accounts(store: Store) -> None:
    manage.add_moderator(store, "mia", HASHER.hash(MIA), Role.OWNER)
    manage.add_moderator(store, "alex", HASHER.hash(ALEX), Role.MODERATOR)


@pytest.mark.usefixtures("two_accounts")
def test_guessing_one_name_holds_up_that_name_from_that_network_only(
    start: Callable[..., Served],
) -> None:
    served = start(trusted_proxies=("127.0.0.1",), admin_password_hash="")
    cafe, office = "198.51.100.7", "203.0.113.9"
    guesses = [named_attempt(served, "Mia", f"guess {n}", cafe) for n in range(5)]
    assert guesses == [422] * 5
    assert named_attempt(served, "mia", MIA, cafe) == 429  # even the right password, there
    assert named_attempt(served, "alex", ALEX, cafe) == 303  # the others are not held up
    assert named_attempt(served, "mia", MIA, office) == 303  # nor Mia elsewhere


@pytest.mark.usefixtures("two_accounts")
def test_guessing_many_names_from_one_network_holds_up_that_network(
    start: Callable[..., Served],
) -> None:
    served = start(trusted_proxies=("127.0.0.1",), admin_password_hash="")
    botnet, office = "198.51.100.7", "203.0.113.9"
    for n in range(20):  # unknown names cost a failure like known ones
        assert named_attempt(served, f"user{n}", "a guessed password", botnet) == 422
    assert named_attempt(served, "alex", ALEX, botnet) == 429
    assert named_attempt(served, "alex", ALEX, office) == 303


@pytest.mark.usefixtures("two_accounts")
def test_guessing_one_name_from_many_networks_holds_up_that_name_everywhere(
    start: Callable[..., Served],
) -> None:
    served = start(trusted_proxies=("127.0.0.1",), admin_password_hash="")
    for n in range(20):
        network = f"198.51.100.{n + 1}"
        assert named_attempt(served, "mia", "a guessed password", network) == 422
    answer_elsewhere = named_attempt(served, "mia", MIA, "203.0.113.9")
    assert answer_elsewhere == 429
    assert named_attempt(served, "alex", ALEX, "203.0.113.9") == 303


def test_a_held_name_is_free_again_once_its_failures_leave_the_window(
    store: Store, clock: FakeClock
) -> None:
    """The windows run on the store's clock (a fake one here): failures age out."""
    keys = LoginKeys.of(test_admin.SECRET, "n" * 64, "mia")
    for _ in range(5):
        take_login_slots(store, keys, LOGIN_LIMITS)  # five failures, none given back
        clock.advance(minutes=1)
    with pytest.raises(LoginHeld) as held:
        take_login_slots(store, keys, LOGIN_LIMITS)
    assert (held.value.scope, held.value.retry_after) == ("name", 10 * 60)
    clock.advance(minutes=10)
    take_login_slots(store, keys, LOGIN_LIMITS)  # the oldest failure has left the window
    give_back_login_slots(store, keys)  # a correct login: it never counted
    with pytest.raises(LoginHeld):
        take_login_slots(store, keys, LOGIN_LIMITS)
        take_login_slots(store, keys, LOGIN_LIMITS)


def test_an_unknown_name_is_checked_against_a_hash_as_costly_as_a_real_one() -> None:
    """So the time of a refusal does not tell which names exist."""
    real = hash_password("any long password")
    assert dummy_hash().rsplit("$", 2)[0] == real.rsplit("$", 2)[0]  # same argon2 parameters
