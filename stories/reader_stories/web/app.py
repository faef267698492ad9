"""The stories web service as one ASGI app: the intake at /stories and the admin at /admin.

The same two apps run on the development server (beside the built site) and in production
behind a reverse proxy. With mail set up, the service sends notifications from a background
thread while it runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from reader_stories.config import Config
from reader_stories.control import ControlListener
from reader_stories.live.push import push_worker
from reader_stories.live.site import live_republisher
from reader_stories.notify.messages import Mailer
from reader_stories.notify.worker import background_sender
from reader_stories.pages.republish import LivePages
from reader_stories.web.admin.app import create_app as create_admin
from reader_stories.web.intake.app import create_app as create_intake
from reader_stories.web.redirects import relative_slash_redirects
from reader_stories.web.startup import start_up

INTAKE_PATH = "/stories"
ADMIN_PATH = "/admin"

log = logging.getLogger(__name__)


def web_apps(config: Config, republisher: LivePages | None = None) -> dict[str, Starlette]:
    """The intake and the admin, by the path each is mounted at."""
    return {
        INTAKE_PATH: create_intake(config, republisher=republisher),
        ADMIN_PATH: create_admin(config, republisher=republisher),
    }


def closers(apps: dict[str, Starlette]) -> list[Callable[[], None]]:
    """What releases each app's database: Starlette runs no lifespan for mounted apps."""
    return [app.state.close for app in apps.values()]


def warmers(apps: dict[str, Starlette]) -> list[Callable[[], None]]:
    """What readies each app that has something to ready before its first request."""
    return [app.state.warm for app in apps.values() if hasattr(app.state, "warm")]


def mount_routes(apps: dict[str, ASGIApp]) -> list[Route | Mount]:
    """Each app at its path, and its path typed without the slash sent there."""
    routes: list[Route | Mount] = []
    for path, app in apps.items():
        routes += [Route(path, slash_redirect(path), methods=["GET"]), Mount(path, app=app)]
    return routes


def slash_redirect(path: str):
    """ "/admin" as typed in the address bar: the mounted app lives at "/admin/"."""

    async def redirect(_request: Request) -> RedirectResponse:
        return RedirectResponse(f"{path}/", status_code=308)

    return redirect


def closing(
    on_shutdown: Sequence[Callable[[], None]],
    config: Config | None = None,
    warm: Sequence[Callable[[], None]] = (),
    *,
    freeze: bool = False,
):
    """A lifespan that warms the apps (and with ``freeze``, settles the process for production:
    see startup.py), runs the background work ``config`` asks for (sending mail, pushing
    changed pages to a public site elsewhere) and closes everything at the end."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await start_up(warm, freeze=freeze)
        workers = [] if config is None else background_workers(config)
        for worker in workers:
            log.info("%s runs every %s s in the background.", worker.name, worker.interval)
            worker.start()
        listener = None if config is None else command_listener(config).start()
        try:
            yield
        finally:
            if listener is not None:
                listener.stop()
            for worker in workers:
                worker.stop()
            for close in on_shutdown:
                close()

    return lifespan


def background_workers(config: Config) -> list[Any]:
    """The mail sender and the page pusher the settings ask for; when the service runs several
    processes, a lock file in var/ lets one of them at a time do each."""
    mail = background_sender(Mailer.for_config(config))
    workers = [worker for worker in (mail, push_worker(config)) if worker is not None]
    for worker in workers:
        worker.lock = config.state / f"{worker.name}.lock"
    return workers


def command_listener(config: Config) -> ControlListener:
    """The socket the command line hands moderation actions to (reader_stories/control.py)."""

    def run(argv: Sequence[str], out: Any, err: Any, user: str | None) -> int:
        from reader_stories.cli import main
        from reader_stories.cli_moderators import acting_name

        given = list(argv)
        if "--as" not in given:  # the history names who typed it, as when it runs itself
            given += ["--as", acting_name(None, system_user=user)]
        return main(given, out, err, config=config)

    return ControlListener(config, run)


def create_service(config: Config) -> Starlette:
    """The intake and the admin together, for a reverse proxy to route /stories and /admin to;
    what they change is rewritten in the live site at once. The admin stays switched off until
    a password hash is set."""
    apps = web_apps(config, live_republisher(config))
    lifespan = closing(closers(apps), config, warmers(apps), freeze=True)
    service = Starlette(routes=mount_routes(apps), lifespan=lifespan)
    return relative_slash_redirects(service)
