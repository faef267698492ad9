"""The store on PostgreSQL where it differs from SQLite: types, locks, a server that goes away.

The shared store, moderation and rate-limit tests already run on PostgreSQL through the
parametrised fixtures; these are the PostgreSQL twins of the SQLite-only ones, and the ways a
server can be unavailable: refusing, silent, locked, cut off, restarted.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
import store_calls as calls
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from stories_support import START, FakeClock, Relay, add, libpq_url, postgres_address

from reader_stories.errors import StoreUnavailable
from reader_stories.store import POSTGRES_WRITE_LOCK_KEY, open_store
from reader_stories.store.engine import postgresql_connect_args
from reader_stories.store.migrations import MIGRATIONS, applied_migrations


def raw(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on its own connection (the URL's schema) and return its rows."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def free_port() -> int:
    """A loopback port that nothing listens on (it was free a moment ago)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and then never says a word, like a hung server."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


@pytest.fixture
def relay(postgres_url: str) -> Iterator[Relay]:
    """A connection to the test's schema that the test can cut and restore."""
    forwarding = Relay(postgres_address(postgres_url))
    forwarding.start()
    try:
        yield forwarding
    finally:
        forwarding.stop()


# No server at all: these run (and must pass) without PostgreSQL installed.


def finished_within(seconds: float, action: Any) -> BaseException | None:
    """Run ``action`` in a thread; the exception it raised, or a failure if it still waits."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            action()
        except BaseException as exc:  # handed to the test, which checks what it was
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still waiting after {seconds} s: the connection attempt hangs"
    return outcome[0]


def test_a_server_that_refuses_connections_is_unavailable(free_port: int) -> None:
    with pytest.raises(StoreUnavailable, match=r"unavailable: .*[Cc]onnection refused"):
        open_store(f"postgresql://nobody@127.0.0.1:{free_port}/stories", busy_timeout=0.5)


def test_a_server_that_never_answers_is_unavailable_after_the_connect_timeout(
    silent_port: int,
) -> None:
    """Without a connect timeout libpq would wait forever and hang the reader's request."""
    url = f"postgresql://nobody@127.0.0.1:{silent_port}/stories"
    # libpq's shortest connect timeout is 2 seconds; one the URL sets is left to libpq.
    assert postgresql_connect_args(url, busy_timeout=0.5) == {"connect_timeout": 2}
    assert postgresql_connect_args(url, busy_timeout=7.2) == {"connect_timeout": 8}
    assert postgresql_connect_args(url + "?connect_timeout=30", busy_timeout=0.5) == {}
    failure = finished_within(30, lambda: open_store(url, busy_timeout=0.5))
    assert isinstance(failure, StoreUnavailable) and "timeout" in str(failure)


# A real server.


def test_postgresql_urls_use_psycopg_and_native_column_types(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        assert store.engine.dialect.driver == "psycopg"
        columns = {c["name"]: c["type"] for c in inspect(store.engine).get_columns("stories")}
    assert {name: str(columns[name]) for name in ("notify", "edited", "author_reply")} == {
        "notify": "BOOLEAN",
        "edited": "BOOLEAN",
        "author_reply": "BOOLEAN",
    }
    assert str(columns["created"]) == "TIMESTAMP"  # without time zone: UTC wall-clock time
    assert str(columns["status"]) == "VARCHAR(16)"


def test_status_is_stored_as_text_and_unknown_text_is_refused(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        story = add(store, notify=True)
    assert raw(postgres_url, "SELECT status, notify, edited FROM stories") == [
        ("pending", True, False)
    ]
    with pytest.raises(psycopg.errors.CheckViolation, match="ck_stories_status"):
        raw(postgres_url, "UPDATE stories SET status = 'published' WHERE id = %s", (story.id,))


def test_times_are_stored_as_utc_whatever_the_session_time_zone(
    postgres_url: str, clock: FakeClock
) -> None:
    options = make_url(postgres_url).query["options"]
    auckland = make_url(postgres_url).update_query_dict(
        {"options": f"{options} -cTimeZone=Pacific/Auckland"}
    )
    with open_store(auckland.render_as_string(hide_password=False), clock=clock) as store:
        story = add(store)
        assert store.get(story.id).created == START
    assert raw(postgres_url, "SELECT created FROM stories") == [(START.replace(tzinfo=None),)]


def test_ids_come_from_a_sequence_that_never_goes_back(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        first = add(store)
        calls.delete(store, first.id, actor="m")
    with open_store(postgres_url) as reopened:
        assert add(reopened).id == first.id + 1


def test_a_held_write_lock_makes_writes_unavailable_but_not_reads(postgres_url: str) -> None:
    with open_store(postgres_url, busy_timeout=0.2) as store:
        add(store)
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (POSTGRES_WRITE_LOCK_KEY,))
            with store.reading() as tx:  # lock_timeout follows busy_timeout
                assert tx.conn.exec_driver_sql("SHOW lock_timeout").scalar() == "200ms"
            with pytest.raises(StoreUnavailable, match="lock timeout"):
                add(store)
            assert calls.pending_count(store) == 1, "readers do not wait for the writer"
            holder.execute("SELECT pg_advisory_unlock(%s)", (POSTGRES_WRITE_LOCK_KEY,))
        assert add(store).id == 2


def test_a_locked_table_makes_reads_unavailable_too(postgres_url: str) -> None:
    with open_store(postgres_url, busy_timeout=0.2) as store:
        add(store)
        with psycopg.connect(libpq_url(postgres_url)) as holder:
            holder.execute("LOCK TABLE stories IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(StoreUnavailable, match="lock timeout"):
                calls.pending_count(store)
            holder.rollback()
        assert calls.pending_count(store) == 1


def test_a_write_transaction_takes_the_write_lock_before_reading(postgres_url: str) -> None:
    """Check-then-insert (duplicates, queue size, rate limits) must not race another writer."""
    query = "SELECT pg_try_advisory_xact_lock(%s)"
    with open_store(postgres_url) as store:
        with store.writing():
            assert raw(postgres_url, query, (POSTGRES_WRITE_LOCK_KEY,)) == [(False,)]
        with store.reading():
            assert raw(postgres_url, query, (POSTGRES_WRITE_LOCK_KEY,)) == [(True,)]


def test_concurrent_starts_apply_each_migration_once(postgres_url: str, tmp_path: Path) -> None:
    """Several processes opening one empty schema at the same moment all succeed."""
    go = tmp_path / "go"
    script = (
        "import os, sys, time\n"
        "from reader_stories.store import open_store\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.001)\n"
        f"open_store({postgres_url!r}, busy_timeout=30).close()\n"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(6)
    ]
    go.touch()
    errors = [child.communicate(timeout=60)[1].decode() for child in children]
    assert [child.returncode for child in children] == [0] * len(children), errors
    with open_store(postgres_url) as store:
        assert applied_migrations(store.engine) == [name for name, _ in MIGRATIONS]
    assert raw(postgres_url, "SELECT count(*) FROM migrations") == [(len(MIGRATIONS),)]


def test_a_server_that_goes_away_is_unavailable_and_nothing_is_lost(
    relay: Relay, postgres_url: str
) -> None:
    with open_store(relay.url(postgres_url), busy_timeout=0.5) as store:
        kept = add(store)
        relay.stop()
        with pytest.raises(StoreUnavailable):
            add(store)
        with pytest.raises(StoreUnavailable):
            calls.pending_count(store)
        relay.start()
        # The same Store recovers by itself once the server is back.
        assert [s.id for s in store.pending()] == [kept.id]
        assert add(store).id > kept.id
    assert raw(postgres_url, "SELECT count(*) FROM stories") == [(2,)]


def test_connections_the_server_closed_are_replaced_without_an_error(postgres_url: str) -> None:
    """A server restart ends every session; the pool pings and reconnects instead of failing."""
    tagged = make_url(postgres_url).update_query_dict({"application_name": "nextround-restart"})
    with open_store(tagged.render_as_string(hide_password=False)) as store:
        add(store)
        ended = raw(
            postgres_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'nextround-restart' AND datname = current_database()",
        )
        assert ended and all(ok for (ok,) in ended)
        assert calls.pending_count(store) == 1
        add(store)
        assert calls.pending_count(store) == 2
