"""A minimal HTTP/1.1 client connection for the load generator: POST a JSON body, read the answer.

Just enough of RFC 9112 for the servers it drives (uvicorn, gunicorn, werkzeug): keep-alive unless
the server says otherwise, bodies framed by Content-Length or chunked, or by the server closing
an HTTP/1.0 or `Connection: close` answer. Anything else is an HttpFailure, reported as an error.
"""

from __future__ import annotations

import asyncio
import contextlib

MAX_HEAD = 64 * 1024


class HttpFailure(Exception):
    """The server's answer could not be read as HTTP/1.1."""


class Connection:
    """One keep-alive connection, opened on first use and again after the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.host_header = f"{host}:{port}".encode("ascii")

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def post_json(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """The status code of POST `path`, once the whole answer has been read."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, limit=MAX_HEAD
            )
        head = [
            b"POST " + path.encode("ascii") + b" HTTP/1.1",
            b"Host: " + self.host_header,
            b"Content-Type: application/json",
            b"Content-Length: %d" % len(body),
            *(f"{name}: {value}".encode("latin-1") for name, value in headers.items()),
        ]
        self.writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        try:
            status, keep_alive = await self._read_answer(self.reader)
        except asyncio.IncompleteReadError as exc:
            raise HttpFailure(
                "the server closed the connection in the middle of an answer"
            ) from exc
        except (asyncio.LimitOverrunError, ValueError) as exc:
            raise HttpFailure(f"the answer could not be read: {exc}") from exc
        if not keep_alive:
            await self.close()
        return status

    async def _read_answer(self, reader: asyncio.StreamReader) -> tuple[int, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise HttpFailure(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        fields: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if colon:
                fields[name.strip().lower()] = value.strip().lower()
        connection = fields.get("connection", "")
        keep_alive = "close" not in connection and (
            version == "HTTP/1.1" or "keep-alive" in connection
        )
        if "chunked" in fields.get("transfer-encoding", ""):
            await _read_chunked(reader)
        elif "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif int(code) not in (204, 304) and not 100 <= int(code) < 200:
            await reader.read()  # framed by the server closing the connection
            keep_alive = False
        return int(code), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailer fields
                pass
            return
        await reader.readexactly(size + 2)
