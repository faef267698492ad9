"""Fixtures for the story tests: a fresh store on SQLite and on PostgreSQL, a fake clock, and a
real SMTP server in this process (aiosmtpd) that collects what it is sent.

Every test that asks for ``db_url`` or ``store`` runs once per database (ids ``[sqlite]`` and
``[postgresql]``), except tests that are about SQLite itself: those that read the SQLite file
directly (they ask for ``db_path``), those whose name says ``sqlite``, and the browser tests,
which are about the page rather than the store.

PostgreSQL comes from ``TEST_DATABASE_URL_POSTGRES``, else the local server on Debian's
socket. One database is created per test session and dropped at the end; every test gets a
schema of its own in it. Without a server the PostgreSQL runs are skipped, or fail when
``REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from notify_support import Collector, start_smtp
from stories_support import (
    SETUP_HINT,
    FakeClock,
    create_database,
    create_schema,
    drop_database,
    drop_schema,
    find_postgres,
    postgres_candidates,
    postgres_required,
)

from reader_stories.store import Store, open_store

BACKENDS = ("sqlite", "postgresql")


def _sqlite_only(metafunc: pytest.Metafunc) -> bool:
    return (
        "db_path" in metafunc.fixturenames
        or "sqlite" in metafunc.function.__name__
        or metafunc.definition.get_closest_marker("browser") is not None
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run store tests on both databases; SQLite-specific ones on SQLite alone."""
    if "backend" in metafunc.fixturenames:
        backends = BACKENDS[:1] if _sqlite_only(metafunc) else BACKENDS
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test's store is on; set by pytest_generate_tests."""
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """A URL of a reachable PostgreSQL server whose role may create databases."""
    candidates = postgres_candidates(os.environ)
    url, problems = find_postgres(candidates)
    if url is None:
        if postgres_required(os.environ):
            found = "; ".join(problems)
            pytest.fail(
                f"REQUIRE_POSTGRES is set but no PostgreSQL server is reachable ({found}); "
                f"{SETUP_HINT}",
                pytrace=False,
            )
        pytest.skip(f"No PostgreSQL server reachable (REQUIRE_POSTGRES=1 says why); {SETUP_HINT}")
    return url


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A database of this test session's own, dropped at the end."""
    url = create_database(postgres_server)
    try:
        yield url
    finally:
        drop_database(postgres_server, url)


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A store URL on an empty schema of the test's own."""
    name, url = create_schema(postgres_database)
    yield url
    drop_schema(postgres_database, name)


def sqlite_file(tmp_path: Path) -> Path:
    """Where a test's SQLite store lives (a folder that does not exist yet)."""
    return tmp_path / "db" / "comments.sqlite3"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return sqlite_file(tmp_path)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{sqlite_file(tmp_path)}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    with open_store(db_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def smtp() -> Iterator[Collector]:
    server, collector = start_smtp()
    try:
        yield collector
    finally:
        server.stop()
