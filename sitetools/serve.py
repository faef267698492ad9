"""One local server on one port: the built site, the story intake and the moderation admin.

The intake and the admin are the stories package's own (reader_stories.web); here they are
mounted beside the built site, with a republisher over it, so moderation is live at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from reader_stories.config import Config, config_from_pelican
from reader_stories.pages.republish import Republisher
from reader_stories.web.app import (
    ADMIN_PATH,
    INTAKE_PATH,
    closers,
    closing,
    mount_routes,
    warmers,
    web_apps,
)
from reader_stories.web.redirects import relative_slash_redirects
from sitetools.build import BuildReport, build_from_settings, load_settings
from sitetools.reload.channel import PagesWithReload, ReloadChannel

__all__ = [
    "ADMIN_PATH",
    "INTAKE_PATH",
    "create_app",
    "development_server",
    "running",
    "site_with_stories",
]


def create_app(
    site: Path,
    mounts: dict[str, ASGIApp] | None = None,
    on_shutdown: Sequence[Callable[[], None]] = (),
    mail: Config | None = None,
    reload: ReloadChannel | None = None,
    warm: Sequence[Callable[[], None]] = (),
) -> Starlette:
    """Serve `site` as a static host would (index.html for folders, 404.html for misses).

    Starlette runs no lifespan for mounted apps, so `warm` readies them and `on_shutdown` closes
    what they opened; with `mail`, its notification emails are sent while the server runs. With
    `reload`, every page listens for rebuilds (sitetools/reload/channel.py).
    """
    pages = StaticFiles if reload is None else PagesWithReload
    routes = [
        *(reload.routes() if reload is not None else []),
        *mount_routes(mounts or {}),
        Mount("/", app=pages(directory=site, html=True)),
    ]
    # Compressed as a static host would send it, so what a reader downloads is measured honestly.
    app = Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
        lifespan=closing(on_shutdown, mail, warm),
    )
    return relative_slash_redirects(app)  # never a Location built from the Host header


def site_with_stories(config: Config, site: Path, reload: ReloadChannel | None = None) -> Starlette:
    """The built `site` with the intake and the admin of `config`, rewriting `site` at once."""
    apps = web_apps(config, Republisher(config, site))
    return create_app(
        site,
        mounts=dict(apps),
        on_shutdown=closers(apps),
        mail=config,
        reload=reload,
        warm=warmers(apps),
    )


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
class DevelopmentServer:
    app: Starlette
    config: Config
    build: BuildReport | None  # None: output/ was served as it was


def development_server(settings_file: Path, output: Path, build: bool = True) -> DevelopmentServer:
    """What `invoke serve` runs: the build (unless asked not to), then the built site with the
    stories service, all from one reading of the settings file."""
    settings = load_settings(settings_file, {"OUTPUT_PATH": str(output)})
    report = build_from_settings(settings) if build else None
    config = config_from_pelican(settings)
    return DevelopmentServer(site_with_stories(config, output), config, report)
