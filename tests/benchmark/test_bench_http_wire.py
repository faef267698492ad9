"""The load generator's HTTP/1.1 client reads each way a server may frame its answer.

Each test serves canned answers from a loopback server of its own and checks the status the
client reports, how many connections it needed, and that a broken answer is an error, not a hang.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bench.http_wire import Connection, HttpFailure

KEEP_ALIVE = b"HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\n\r\nsaved"
CHUNKED = (
    b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3\r\nsav\r\n2;note=x\r\ned\r\n0\r\nX-Trailer: 1\r\n\r\n"
)
CLOSING = b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
HTTP10 = b"HTTP/1.0 202 ACCEPTED\r\nContent-Type: text/plain\r\n\r\nread until the end"


def run_async(make: Callable[[], Awaitable[Any]]) -> Any:
    """asyncio.run in a thread of its own: a browser test may hold this thread's event loop."""
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(asyncio.run(make())))
    worker.start()
    worker.join(timeout=30)
    return outcome[0] if outcome else None


async def exchange(answers: list[bytes], requests: int) -> tuple[list[int | str], int]:
    """Send `requests` POSTs through one Connection; the server answers in turn from `answers`
    and closes the connection after an answer that is framed by closing or says so."""
    connections = 0
    served = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections, served
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                answer = answers[served % len(answers)]
                served += 1
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer or not answer.startswith(b"HTTP/1.1"):
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = Connection("127.0.0.1", port)
    statuses: list[int | str] = []
    try:
        for _ in range(requests):
            try:
                async with asyncio.timeout(5):
                    statuses.append(await connection.post_json("/new", b'{"a": "b"}', {}))
            except HttpFailure as failure:
                statuses.append(f"failed: {failure}")
                await connection.close()
    finally:
        await connection.close()
        server.close()
        await server.wait_closed()
    return statuses, connections


def test_keep_alive_answers_share_one_connection() -> None:
    statuses, connections = run_async(lambda: exchange([KEEP_ALIVE, CHUNKED], 4))
    assert statuses == [202, 202, 202, 202]
    assert connections == 1


@pytest.mark.parametrize("answer", [CLOSING, HTTP10], ids=["connection-close", "http-1.0"])
def test_a_server_that_closes_gets_a_new_connection_per_request(answer: bytes) -> None:
    statuses, connections = run_async(lambda: exchange([answer], 3))
    assert statuses == [int(answer[9:12])] * 3
    assert connections == 3


def test_an_answer_that_is_not_http_is_a_failure_not_a_hang() -> None:
    statuses, _ = run_async(lambda: exchange([b"SSH-2.0-OpenSSH\r\n\r\n", KEEP_ALIVE], 2))
    assert str(statuses[0]).startswith("failed: not an HTTP/1.x status line")
    assert statuses[1] == 202


def test_an_answer_cut_short_is_a_failure() -> None:
    cut = b"HTTP/1.1 202 Accepted\r\nContent-Length: 50\r\nConnection: close\r\n\r\nshort"
    statuses, _ = run_async(lambda: exchange([cut], 1))
    assert statuses == ["failed: the server closed the connection in the middle of an answer"]
