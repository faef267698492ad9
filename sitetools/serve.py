"""One local server on one port: the built site, the story intake and the moderation admin."""

from __future__ import annotations

import os
import runpy
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

if TYPE_CHECKING:
    from reader_stories.pages.republish import SiteFiles
    from reader_stories.settings import CommentsSettings

INTAKE_PATH = "/stories"
ADMIN_PATH = "/admin"


def create_app(
    site: Path,
    mounts: dict[str, ASGIApp] | None = None,
    on_shutdown: Sequence[Callable[[], None]] = (),
) -> Starlette:
    """Serve `site` as a static host would (index.html for folders, 404.html for misses).

    Starlette runs no lifespan for mounted apps, so `on_shutdown` closes what they opened.
    """
    routes: list[Route | Mount] = []
    for path, app in (mounts or {}).items():
        # "/admin" as typed in the address bar: the mounted app lives at "/admin/".
        routes += [Route(path, _slash_redirect(path), methods=["GET"]), Mount(path, app=app)]
    routes.append(Mount("/", app=StaticFiles(directory=site, html=True)))
    # Compressed as a static host would send it, so what a reader downloads is measured honestly.
    return Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
        lifespan=_closing(on_shutdown),
    )


def _slash_redirect(path: str):
    async def redirect(_request: Request) -> RedirectResponse:
        return RedirectResponse(f"{path}/", status_code=308)

    return redirect


def _closing(closers: Sequence[Callable[[], None]]):
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        for close in closers:
            close()

    return lifespan


@contextmanager
def running(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run `app` with uvicorn in a background thread; yield its base URL, stop on exit."""
    # X-Forwarded-For is judged by the intake against its own trusted proxies, not by uvicorn.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="auto", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class _Configured:
    """What the intake and the admin both read from one Pelican settings file."""

    comments: CommentsSettings
    templates: Path
    site_root: str
    sitename: str
    files: SiteFiles | None


def _configured(
    settings_file: Path, environ: dict[str, str] | None, site: Path | None
) -> _Configured:
    from reader_stories.pages.republish import SiteFiles
    from reader_stories.settings import load_settings

    settings_file = Path(settings_file).resolve()
    values = runpy.run_path(str(settings_file))
    files = None
    if site is not None:
        environment = dict(os.environ if environ is None else environ)
        files = SiteFiles.from_settings_file(settings_file, environment, output=site)
    return _Configured(
        comments=load_settings(settings_file, environ),
        templates=settings_file.parent / values.get("THEME", "theme") / "templates",
        site_root=values.get("SITE_ROOT", ""),
        sitename=values.get("SITENAME", "Next Round"),
        files=files,
    )


def intake_from_settings(
    settings_file: Path, environ: dict[str, str] | None = None, site: Path | None = None
) -> Starlette:
    """The story intake configured from a Pelican settings file, without importing Pelican.

    Given the built `site`, a reader's deletion of a published story updates its page at once.
    """
    from reader_stories.moderation import service as console
    from reader_stories.web.intake.app import create_app as create_intake

    config = _configured(settings_file, environ, site)
    files = config.files
    on_removed = None
    if files is not None:

        def on_removed(store, slugs):
            return console.republish(store, files, slugs)

    return create_intake(
        config.comments,
        config.templates,
        site_root=config.site_root,
        sitename=config.sitename,
        on_removed=on_removed,
    )


def admin_from_settings(
    settings_file: Path, environ: dict[str, str] | None = None, site: Path | None = None
) -> Starlette:
    """The moderation admin configured from a Pelican settings file, without importing Pelican.

    Given the built `site`, an approval rewrites its article page at once (the CLI's fast path).
    """
    from reader_stories.web.admin.app import create_app as create_admin

    config = _configured(settings_file, environ, site)
    return create_admin(
        config.comments,
        config.templates,
        files=config.files,
        site_root=config.site_root,
        sitename=config.sitename,
    )


def intake_only(settings_file: Path) -> Starlette:
    """The intake at /stories and the admin at /admin, as on the combined server, for a reverse
    proxy to route to. The admin stays switched off until a password hash is set."""
    intake = intake_from_settings(settings_file)
    admin = admin_from_settings(settings_file)
    return Starlette(
        routes=[Mount(INTAKE_PATH, app=intake), Mount(ADMIN_PATH, app=admin)],
        lifespan=_closing([intake.state.intake.close, admin.state.admin.close]),
    )
