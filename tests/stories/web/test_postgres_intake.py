"""The story intake over real HTTP on PostgreSQL: the key answers, and two intake processes.

test_intake.py checks most answers on both databases already; the tests there that look into
the SQLite file run on SQLite only, so the answers that change the database are checked here
against PostgreSQL. Two intake processes on one database is how it runs behind a load
balancer: the rate limit must hold across both, and no acknowledged story may go missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import store_calls as calls
from stories_support import (
    Relay,
    create_database,
    drop_database,
    libpq_url,
    make_config,
    postgres_address,
)
from test_intake import (
    JSON_HEADERS,
    SECRET,
    STORY,
    make_settings,
    serve_site,
    story_form,
    write_site,
)

from reader_stories.settings import RateLimit
from reader_stories.store import POSTGRES_WRITE_LOCK_KEY, open_store
from reader_stories.web.errors import STORE_RETRY_AFTER
from reader_stories.web.intake.app import create_app

ROOT = Path(__file__).resolve().parents[3]
# An intake process as `invoke intake` runs it: pelicanconf.py plus COMMENTS_* variables.
INTAKE_PROCESS = """
import sys
from reader_stories.config import load_config
from reader_stories.web.app import create_service
from sitetools.serve import running

with running(create_service(load_config(sys.argv[1]))) as base:
    print(base, flush=True)
    sys.stdin.read()  # serve until the test closes our stdin
"""
SUBMISSIONS = 200
CONCURRENT = 10


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(query).fetchall()


def statuses(url: str) -> list[str]:
    return [status for (status,) in rows(url, "SELECT status FROM stories ORDER BY id")]


@pytest.fixture
def start(tmp_path: Path, postgres_url: str) -> Iterator[Callable[..., httpx.Client]]:
    """Start an intake on the test's PostgreSQL schema; returns a client for it."""
    site = write_site(tmp_path / "site")
    with ExitStack() as stack:

        def _start(busy_timeout: float = 5.0, **changes: Any) -> httpx.Client:
            settings = make_settings(changes.pop("database_url", postgres_url), **changes)
            app = create_app(make_config(settings), busy_timeout=busy_timeout)
            base = stack.enter_context(serve_site(site, app))
            return stack.enter_context(httpx.Client(base_url=base, timeout=20))

        yield _start


def test_a_story_is_stored_with_its_fields_and_acknowledged(
    start: Callable[..., httpx.Client], postgres_url: str
) -> None:
    client = start()
    form = story_form(name="Zoë", email="zoe@example.org", notify="yes", story=STORY + " ✨")
    assert client.post("/stories/", data=form).status_code == 303
    script = client.post("/stories/", json=story_form(story=STORY + " Sent by the script."))
    assert script.status_code == 202
    assert script.json()["status"] == "pending"
    stored = rows(
        postgres_url, "SELECT name, email, notify, body_markdown FROM stories ORDER BY id"
    )
    assert stored == [
        ("Zoë", "zoe@example.org", True, STORY + " ✨"),
        ("Ada", None, False, STORY + " Sent by the script."),
    ]


def test_an_invalid_story_is_422_and_stores_nothing(
    start: Callable[..., httpx.Client], postgres_url: str
) -> None:
    client = start()
    response = client.post("/stories/", json=story_form(consent=""), headers=JSON_HEADERS)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["consent"]
    with open_store(postgres_url) as store:  # the intake never needed the store
        assert store.pending() == []
        assert calls.count_rate_events(store, "any", datetime.min.replace(tzinfo=UTC)) == 0


def test_over_the_rate_limit_is_429_and_stores_nothing(
    start: Callable[..., httpx.Client], postgres_url: str
) -> None:
    client = start(rate_limit=RateLimit(2, 600))
    for number in range(2):
        form = story_form(story=f"{STORY} Number {number}.")
        assert client.post("/stories/", json=form).status_code == 202
    refused = client.post("/stories/", json=story_form(story=STORY + " Third."))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert statuses(postgres_url) == ["pending", "pending"]
    assert rows(postgres_url, "SELECT count(*) FROM rate_events") == [(2,)]


def test_the_same_story_again_is_409(start: Callable[..., httpx.Client], postgres_url: str) -> None:
    client = start()
    assert client.post("/stories/", json=story_form()).status_code == 202
    again = client.post("/stories/", json=story_form(story=STORY.upper()))
    assert again.status_code == 409
    assert statuses(postgres_url) == ["pending"]


def test_a_locked_store_is_503_with_retry_after_and_nothing_is_written(
    start: Callable[..., httpx.Client], postgres_url: str
) -> None:
    client = start(busy_timeout=0.2)
    assert client.post("/stories/", json=story_form()).status_code == 202
    late = story_form(story=STORY + " Locked.")
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (POSTGRES_WRITE_LOCK_KEY,))
        refused = client.post("/stories/", json=late)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == str(STORE_RETRY_AFTER)
    assert statuses(postgres_url) == ["pending"]
    assert rows(postgres_url, "SELECT count(*) FROM rate_events") == [(1,)]
    assert client.post("/stories/", json=late).status_code == 202


def test_a_server_that_is_down_is_503_and_the_story_goes_through_once_it_is_back(
    start: Callable[..., httpx.Client], postgres_url: str
) -> None:
    relay = Relay(postgres_address(postgres_url))
    relay.start()
    try:
        client = start(database_url=relay.url(postgres_url), busy_timeout=0.5)
        assert client.post("/stories/", json=story_form()).status_code == 202
        relay.stop()
        late = story_form(story=STORY + " While the server was down.")
        refused = client.post("/stories/", json=late)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == str(STORE_RETRY_AFTER)
        page = client.post("/stories/", data=late)
        assert page.status_code == 503
        assert "Nothing was saved" in page.text
        relay.start()
        assert client.post("/stories/", json=late).status_code == 202
    finally:
        relay.stop()
    assert statuses(postgres_url) == ["pending", "pending"]


def test_a_server_that_never_started_is_503(start: Callable[..., httpx.Client]) -> None:
    client = start(database_url="postgresql://nobody@127.0.0.1:9/stories", busy_timeout=0.5)
    response = client.post("/stories/", json=story_form())
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(STORE_RETRY_AFTER)


# Two intake processes on one database


@pytest.fixture
def fresh_database(postgres_server: str) -> Iterator[str]:
    """A database of its own, in the default public schema, as a production server has."""
    url = create_database(postgres_server, "nextround_intake")
    try:
        yield url
    finally:
        drop_database(postgres_server, url)


@contextmanager
def intake_process(database_url: str, rate_limit: str, log: Path) -> Iterator[str]:
    """One intake in a process of its own, configured only through the environment."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")]),
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_SECRET_KEY": SECRET,
        "COMMENTS_RATE_LIMIT": rate_limit,
    }
    with log.open("w", encoding="utf-8") as errors:
        child = subprocess.Popen(
            [sys.executable, "-c", INTAKE_PROCESS, str(ROOT / "pelicanconf.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            cwd=ROOT,
            text=True,
        )
    assert child.stdin is not None and child.stdout is not None
    try:
        base = child.stdout.readline().strip()
        assert base.startswith("http://"), log.read_text(encoding="utf-8")
        yield base
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()


@pytest.mark.slow
@pytest.mark.parametrize(("limit", "accepted"), [(50, 50), (1000, SUBMISSIONS)])
def test_two_intake_processes_share_the_rate_limit_and_lose_nothing(
    fresh_database: str, tmp_path: Path, limit: int, accepted: int
) -> None:
    """200 stories from one network, 10 at a time, alternating between two processes."""
    with ExitStack() as stack:
        bases = [
            stack.enter_context(
                intake_process(fresh_database, f"{limit}/3600", tmp_path / f"intake-{n}.log")
            )
            for n in range(2)
        ]
        clients = [
            stack.enter_context(httpx.Client(base_url=base, timeout=30, headers=JSON_HEADERS))
            for base in bases
        ]

        def send(number: int) -> tuple[int, str, httpx.Response]:
            text = f"{STORY} Story number {number} of the burst."
            process = number % 2
            return process, text, clients[process].post("/stories/", json=story_form(story=text))

        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            results = list(pool.map(send, range(SUBMISSIONS)))

    codes = Counter(response.status_code for _, _, response in results)
    assert codes == Counter({202: accepted, 429: SUBMISSIONS - accepted})
    assert all("retry-after" in r.headers for _, _, r in results if r.status_code == 429)
    acknowledged = [text for _, text, response in results if response.status_code == 202]
    by_process = Counter(process for process, _, r in results if r.status_code == 202)
    assert by_process[0] > 0 and by_process[1] > 0, "both processes took stories"
    stored = rows(fresh_database, "SELECT body_markdown, status FROM stories")
    assert sorted(stored) == sorted((text, "pending") for text in acknowledged)
    assert rows(fresh_database, "SELECT count(*) FROM rate_events") == [(accepted,)]
