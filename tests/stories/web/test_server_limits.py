"""Slow clients against a real uvicorn serving the intake with the service's own server options.

Idle connections, requests whose headers never finish and bodies that stop half-way are closed
(with a 408 where part of a request came), connections over the cap are closed at once, and
throughout a normal request is answered. Short limits keep the waits short; every assertion is
about what happened and in which order, never about how long it took.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from server_support import answer_then_close, connect, serving, still_open
from stories_support import make_config
from uvicorn.importer import import_from_string
from uvicorn.main import main as uvicorn_command

from reader_stories.settings import CommentsSettings, RateLimit
from reader_stories.tokens import make_article_token
from reader_stories.web.body import MSG_SLOW, ReadTimeouts
from reader_stories.web.intake.app import create_app
from reader_stories.web.server import SlowClientGuard, server_options

ROOT = Path(__file__).resolve().parents[3]
SECRET = "server-limits-secret-" + "s" * 32
SLUG = "asking-for-a-raise"
STORY = "I asked for a raise after a year of extra work, with numbers, and got it."
HEADERS_SO_FAR = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-"
HEADERS_WHOLE = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n"
)


def story_form(number: int) -> dict[str, str]:
    return {
        "article": SLUG,
        "token": make_article_token(SECRET, SLUG),
        "name": "Ada",
        "story": f"{STORY} Story number {number}.",
        "consent": "yes",
    }


@pytest.fixture
def intake(db_path: Path) -> Iterator:
    settings = CommentsSettings(
        database_url=f"sqlite:///{db_path}", secret_key=SECRET, rate_limit=RateLimit(100, 600)
    )
    app = create_app(make_config(settings), read_timeouts=ReadTimeouts(per_read=3, total=6))
    yield app
    app.state.close()


def read_one_answer(conn: socket.socket) -> bytes:
    """One whole answer on a kept-alive connection (its headers and Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
    while len(body) < length:
        body += conn.recv(65536)
    return head


def test_slow_clients_are_timed_out_and_a_normal_request_is_still_answered(intake) -> None:
    options = server_options(header_timeout=3.0, concurrency=200)
    with serving(intake, **options) as address, ExitStack() as stack:
        base = f"http://{address[0]}:{address[1]}"
        idle = [stack.enter_context(connect(address)) for _ in range(30)]
        headers = [stack.enter_context(connect(address, HEADERS_SO_FAR)) for _ in range(30)]
        bodies = [
            stack.enter_context(connect(address, HEADERS_WHOLE + b"story=")) for _ in range(30)
        ]
        # A reader whose first request went well, then who trickles the next one.
        kept = stack.enter_context(connect(address, b"GET /received HTTP/1.1\r\nHost: x\r\n\r\n"))
        assert read_one_answer(kept).startswith(b"HTTP/1.1 200 ")
        kept.sendall(b"GET /rece")

        with httpx.Client(base_url=base, timeout=20) as client:
            answer = client.post("/", data=story_form(1))
        assert answer.status_code == 303
        # Answered while every slow connection was still held open...
        slow = [*idle, *headers, *bodies, kept]
        assert [still_open(conn) for conn in slow] == [True] * len(slow)

        # ...and then each of them is closed: silently if nothing came, with a 408 if part of
        # a request did (from the server for headers, from the app for a body).
        assert {answer_then_close(conn) for conn in idle} == {b""}
        for conn in [*headers, kept]:
            assert answer_then_close(conn).startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        for conn in bodies:
            page = answer_then_close(conn)
            assert page.startswith(b"HTTP/1.1 408 ")
            assert b"connection: close" in page.lower()
            assert MSG_SLOW.encode() in page

        with httpx.Client(base_url=base, timeout=20) as client:
            assert client.post("/", data=story_form(2)).status_code == 303


def test_connections_over_the_cap_are_closed_at_once_and_the_service_recovers(intake) -> None:
    options = server_options(header_timeout=3.0, concurrency=10)
    with serving(intake, **options) as address, ExitStack() as stack:
        held = [stack.enter_context(connect(address)) for _ in range(10)]
        over = stack.enter_context(connect(address))
        # The eleventh is closed as it is accepted, before any of the ten is timed out.
        assert answer_then_close(over) == b""
        assert [still_open(conn) for conn in held] == [True] * 10
        assert {answer_then_close(conn) for conn in held} == {b""}
        with httpx.Client(base_url=f"http://{address[0]}:{address[1]}", timeout=20) as client:
            assert client.post("/", data=story_form(1)).status_code == 303


def documented_command() -> list[str]:
    """The uvicorn command line docs/operations.md gives for running the service."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if "uvicorn --factory" in line)
    words = shlex.split(line.split("uvicorn", 1)[1])
    return words


def test_the_documented_uvicorn_flags_are_the_server_options() -> None:
    params = uvicorn_command.make_context("uvicorn", documented_command()).params
    options = server_options()
    assert import_from_string(params.pop("http")) is options.pop("http") is SlowClientGuard
    assert {name: params[name] for name in options} == options
    assert params["app"] == "reader_stories.web:create_app" and params["factory"] is True


def wait_until_serving(server: subprocess.Popen[bytes], client: httpx.Client) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise AssertionError("the service stopped at start-up")
        try:
            client.get("/stories/received")
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the service did not start")


@pytest.mark.slow
def test_a_flood_of_idle_connections_leaves_the_documented_server_standing(
    tmp_path: Path,
) -> None:
    """The reported attack: 1,100 idle connections against `uvicorn --factory ...` with the
    documented flags, in a process that may open 1,024 files (Linux's default). No file
    descriptor runs out, nothing is logged for each connection, and once the idle ones are
    closed a story is taken as usual."""
    settings = tmp_path / "settings.py"
    comments = {"database_url": f"sqlite:///{tmp_path / 'c.sqlite3'}", "secret_key": SECRET}
    settings.write_text(
        f"SITEURL = 'http://127.0.0.1'\nSITENAME = 'Flood'\nOUTPUT_PATH = {str(tmp_path)!r}\n"
        f"COMMENTS = {comments!r}\n",
        encoding="utf-8",
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    words = documented_command()
    words[words.index("--port") + 1] = str(port)

    def few_files() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", *words],
            env={**os.environ, "PELICAN_SETTINGS": str(settings)},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=few_files,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            wait_until_serving(server, client)
            with ExitStack() as stack:
                flood = [stack.enter_context(connect(("127.0.0.1", port))) for _ in range(1100)]
                for conn in flood:
                    answer_then_close(conn)
            answer = client.post("/stories/", data=story_form(1))
            assert answer.status_code == 303, answer.text
            assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in errors and "Too many open files" not in errors, errors[:2000]
    assert len(errors) < 10_000, errors[:2000]


def test_the_guard_takes_its_limits_from_the_options() -> None:
    guard = server_options(header_timeout=1.5, concurrency=7)["http"]
    assert issubclass(guard, SlowClientGuard)
    assert (guard.header_timeout, guard.max_connections) == (1.5, 7)
