"""Helpers shared by the story tests: a hand-moved clock, ready-made submissions, PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import store_calls as calls
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from reader_stories.config import Config, Site
from reader_stories.models import Status, Story, Submission
from reader_stories.settings import CommentsSettings
from reader_stories.store import Store

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BASE_SUBMISSION = Submission(
    article="handling-job-rejection",
    name="Ada",
    email=None,
    notify=False,
    body_markdown="I was turned down twice before the offer came.",
    reply_to=None,
    ip_hash="a" * 64,
)

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "theme"


def make_config(comments: CommentsSettings, **site: Any) -> Config:
    """The site's own theme around test COMMENTS settings; `site` changes the site's facts."""
    if not comments.author_name:  # as load_config fills it from AUTHOR
        comments = replace(comments, author_name="Next Round editors")
    base = Site(
        siteurl="http://127.0.0.1:8000",
        site_root="",
        sitename="Next Round",
        intake_url=comments.intake_url,
        output=ROOT / "output",
        article_save_as="{slug}/index.html",
        theme=THEME,
        article_url="{slug}/",
        policy_url=comments.policy_url or "privacy/",
    )
    # Locks go in a folder of the test run's own, never the project's var/.
    return Config(comments, replace(base, **site), state=Path(tempfile.mkdtemp(prefix="state-")))


class FakeClock:
    """A clock that only moves when told, so windows and ordering are exact."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def submission(**changes: object) -> Submission:
    """The base submission with some fields changed."""
    return replace(BASE_SUBMISSION, **changes)  # type: ignore[arg-type]


def add(store: Store, clock: FakeClock | None = None, **changes: object) -> Story:
    """Add a submission, one second after the previous one when a clock is given."""
    if clock is not None:
        clock.advance(seconds=1)
    return calls.add_submission(store, submission(**changes))


def add_with_status(store: Store, status: Status, **changes: object) -> Story:
    """A story already in ``status``, set through the store (no moderation rules)."""
    story = add(store, **changes)
    if status is Status.PENDING:
        return story
    return calls.set_status(store, story.id, status, reason="setup", actor="setup")


# PostgreSQL: finding a server, a database and schema per test, and a cuttable connection.

POSTGRES_URL_VARIABLE = "TEST_DATABASE_URL_POSTGRES"
REQUIRE_POSTGRES_VARIABLE = "REQUIRE_POSTGRES"
DEBIAN_SOCKETS = "/var/run/postgresql"
# A role named after the OS user (Debian: `createuser -s $USER`), then the postgres role.
DEFAULT_POSTGRES_URLS = (
    f"postgresql:///postgres?host={DEBIAN_SOCKETS}",
    f"postgresql://postgres@/postgres?host={DEBIAN_SOCKETS}",
)
SETUP_HINT = (
    f"set {POSTGRES_URL_VARIABLE} to a server URL whose role may create databases, or run "
    "Debian's server as .ci/run does: apt-get install postgresql, start it "
    "(pg_ctlcluster 15 main start), then sudo -u postgres createuser --createdb $USER"
)


def postgres_required(environ: Mapping[str, str]) -> bool:
    """CI sets REQUIRE_POSTGRES=1: there a missing server fails instead of skipping."""
    return environ.get(REQUIRE_POSTGRES_VARIABLE, "").strip() not in {"", "0"}


def postgres_candidates(environ: Mapping[str, str]) -> list[str]:
    """The configured URL alone if there is one, else the usual local server."""
    configured = environ.get(POSTGRES_URL_VARIABLE, "").strip()
    return [configured] if configured else list(DEFAULT_POSTGRES_URLS)


def libpq_url(url: str | URL) -> str:
    """The URL as psycopg takes it (no +driver suffix), password kept."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def find_postgres(candidates: Sequence[str]) -> tuple[str | None, list[str]]:
    """The first candidate URL that connects, and why the ones before it did not."""
    problems: list[str] = []
    for url in candidates:
        try:
            with psycopg.connect(libpq_url(url), connect_timeout=3):
                return url, problems
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            problems.append(f"{make_url(url).render_as_string(hide_password=True)}: {reason}")
    return None, problems


def admin_connection(url: str) -> psycopg.Connection[Any]:
    """Autocommit, as CREATE/DROP DATABASE need; bounded lock waits so teardown never hangs."""
    conn = psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=5)
    conn.execute("SET lock_timeout = '10s'")
    return conn


def unique_name(prefix: str) -> str:
    """Unique across concurrent runs on one server: other checkouts may be testing too."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def create_database(server_url: str, prefix: str = "nextround_test") -> str:
    """A new, empty database on the server; returns its URL."""
    name = unique_name(prefix)
    with admin_connection(server_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, database_url: str) -> None:
    """Drop it even if a killed child left a connection open."""
    name = make_url(database_url).database
    with admin_connection(server_url) as conn:
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        conn.execute(query)


def create_schema(database_url: str, prefix: str = "t") -> tuple[str, str]:
    """A new schema and a URL whose connections use only it (search_path): a fresh store."""
    name = unique_name(prefix)
    with admin_connection(database_url) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={name}"})
    return name, url.render_as_string(hide_password=False)


def drop_schema(database_url: str, name: str) -> None:
    with admin_connection(database_url) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def postgres_address(url: str) -> str | tuple[str, int]:
    """Where the server behind ``url`` listens: a Unix socket path or a host and port."""
    with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
        host, port = conn.info.host, conn.info.port
    return f"{host}/.s.PGSQL.{port}" if host.startswith("/") else (host, port)


class Relay:
    """A loopback TCP port forwarding to the server, that a test can cut and restore.

    It stands in for the server going down and coming back without touching the real
    server, which other test runs on this machine may be using at the same time.
    """

    def __init__(self, target: str | tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def url(self, url: str) -> str:
        """``url`` (user, database, options) reached through this relay instead."""
        parsed = make_url(url).difference_update_query(["host", "port", "hostaddr"])
        relayed = parsed.set(host="127.0.0.1", port=self.port)
        return relayed.render_as_string(hide_password=False)

    def start(self) -> None:
        """Listen (on the same port as before, after a stop) and forward every connection."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a server going down does."""
        with self._lock:
            listener, self._listener = self._listener, None
            cut, self._open = self._open, set()
        for sock in [*([listener] if listener else []), *cut]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked on it
            sock.close()

    def _connect(self) -> socket.socket:
        if isinstance(self.target, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.target)
            return upstream
        return socket.create_connection(self.target, timeout=5)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # stopped
                return
            try:
                upstream = self._connect()
            except OSError:  # the server itself is down: the client sees a closed connection
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
