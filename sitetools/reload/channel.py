"""The browser's side of reloading: pages served with a small script that listens for rebuilds.

Every HTML page the development server sends carries one script tag (same origin, nothing
third-party); the script keeps a server-sent events stream open and reloads the page when a
rebuild rewrote it, or shows the build's problems over the page when it failed. Pages on disk
stay exactly as the build wrote them: the tag is added as they are served.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

RELOAD_PATH = "/__reload"
CLIENT = Path(__file__).with_name("client.js")
SCRIPT_TAG = f'<script src="{RELOAD_PATH}/client.js" defer></script>'.encode()
# A comment line now and then: a proxy or the browser would otherwise close a quiet stream.
KEEPALIVE_SECONDS = 15.0
NO_STORE = {"Cache-Control": "no-store"}


def with_script(html: bytes) -> bytes:
    """The page with the reload script's tag before its closing </body> (or at its end)."""
    end = html.rfind(b"</body>")
    if end < 0:
        return html + SCRIPT_TAG
    return html[:end] + SCRIPT_TAG + html[end:]


def page_path(output: Path, file: Path) -> str:
    """The address path a written file is served at: /articles/x/ for articles/x/index.html."""
    path = "/" + file.relative_to(output).as_posix()
    return path.removesuffix("index.html")


class ReloadChannel:
    """Fans each rebuild's news out to every open page; `announce` may be called from any
    thread (the builder's), the streams run on the server's event loop."""

    def __init__(self) -> None:
        # Told to every page as it connects: a page that sees another value after reconnecting
        # was served by a server that has restarted since, and reloads.
        self.boot = secrets.token_hex(8)
        self._lock = threading.Lock()
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = set()

    def announce(self, event: str, data: dict[str, Any]) -> None:
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n"
        with self._lock:
            listeners = list(self._listeners)
        for loop, queue in listeners:
            loop.call_soon_threadsafe(queue.put_nowait, message)

    @property
    def listening(self) -> int:
        """How many pages are connected."""
        with self._lock:
            return len(self._listeners)

    async def stream(self, request: Request) -> Response:
        return StreamingResponse(
            self._messages(),
            media_type="text/event-stream",
            headers=NO_STORE,
        )

    async def _messages(self) -> AsyncIterator[str]:
        listener = (asyncio.get_running_loop(), asyncio.Queue[str]())
        with self._lock:
            self._listeners.add(listener)
        try:
            yield f"retry: 500\nevent: hello\ndata: {json.dumps(self.boot)}\n\n"
            while True:
                try:
                    yield await asyncio.wait_for(listener[1].get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": still here\n\n"
        finally:
            with self._lock:
                self._listeners.discard(listener)

    def routes(self) -> list[Route]:
        async def client(request: Request) -> Response:
            return FileResponse(CLIENT, media_type="text/javascript", headers=NO_STORE)

        return [
            Route(f"{RELOAD_PATH}/events", self.stream),
            Route(f"{RELOAD_PATH}/client.js", client),
        ]


class PagesWithReload(StaticFiles):
    """StaticFiles whose HTML pages carry the reload script and are never cached."""

    def file_response(
        self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200
    ) -> Response:
        if str(full_path).endswith(".html"):
            return _injected(Path(full_path), status_code)
        return super().file_response(full_path, stat_result, scope, status_code)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if isinstance(response, FileResponse) and str(response.path).endswith(".html"):
            return _injected(Path(response.path), response.status_code)  # the 404 page
        return response


def _injected(file: Path, status_code: int) -> Response:
    return Response(
        with_script(file.read_bytes()),
        status_code=status_code,
        media_type="text/html",
        headers=NO_STORE,
    )
