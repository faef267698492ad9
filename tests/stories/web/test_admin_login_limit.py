"""The login limit counts failures only: moderators logging in never lock each other out, and
guesses are still stopped after 5 per network (SQLite and PostgreSQL, over real HTTP)."""

from __future__ import annotations

from collections.abc import Callable

import test_admin
from test_admin import PASSWORD, Served, form_value

from reader_stories.store import Store

start = test_admin.start  # the admin on a real port, as the other admin tests start it


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
