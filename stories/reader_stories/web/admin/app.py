"""The admin app factory: routes, and one page for every way a request can fail."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import cast
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reader_stories.config import Config
from reader_stories.errors import StoreUnavailable
from reader_stories.models import Status
from reader_stories.notify.action_links import LinkAction
from reader_stories.pages.republish import Republisher
from reader_stories.store import DEFAULT_BUSY_TIMEOUT
from reader_stories.validation import REPLY_TO_MAX
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import cookie_options
from reader_stories.web.admin.guard import Guard, LoginRequired
from reader_stories.web.admin.login_limits import LOGIN_LIMITS, LoginLimits
from reader_stories.web.admin.sessions import DEFAULT_LIFETIME, SESSION_COOKIE, Clock
from reader_stories.web.admin.views.account import AccountPage
from reader_stories.web.admin.views.actions import Actions
from reader_stories.web.admin.views.auth import MSG_SESSION_ENDED, Auth
from reader_stories.web.admin.views.blocks import Safety
from reader_stories.web.admin.views.bulk import Bulk
from reader_stories.web.admin.views.changes import Changes
from reader_stories.web.admin.views.edit import Editing
from reader_stories.web.admin.views.email_links import EmailLinks
from reader_stories.web.admin.views.held import HeldBin
from reader_stories.web.admin.views.moderators import Moderators
from reader_stories.web.admin.views.queue import Reading
from reader_stories.web.admin.views.writer import Writers
from reader_stories.web.errors import STORE_RETRY_AFTER, Refused
from reader_stories.web.redirects import relative_slash_redirects
from reader_stories.web.static import stylesheet_route

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]

TITLE_DISABLED = "The moderation admin is switched off"
TITLE_STORE = "The story database is unavailable"
MSG_STORE = (
    "The story database could not be reached just now, so nothing was shown or changed. "
    "Wait a moment and try again."
)
HTTP_TITLES = {404: "Page not found", 405: "This address does not take that request"}
HTTP_MESSAGES = {
    404: "There is nothing at this address in the moderation admin.",
    405: "Actions are sent from the buttons on the admin's pages; open the page and use them.",
}
TITLE_SERVER = "Something went wrong on our side"
MSG_SERVER = (
    "The admin hit an unexpected problem. Reload the page; if it happens again, check the "
    "server log."
)


class Handlers:
    """Turn each failure into a page: the reader of every answer is a moderator, not a log."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin

    async def refused(self, request: Request, exc: Exception) -> Response:
        return self.admin.pages.error(request, cast(Refused, exc))

    async def login_required(self, request: Request, exc: Exception) -> Response:
        """Back to the login page (then here again); a dead cookie is said and removed."""
        required = cast(LoginRequired, exc)
        path = "/login" if required.back == "/" else f"/login?next={_quote(required.back)}"
        if required.reason == "missing":
            return self.admin.pages.redirect(request, path)
        response = self.admin.pages.redirect(request, path, "error", [MSG_SESSION_ENDED])
        secure = self.admin.settings.secure_cookies
        response.delete_cookie(SESSION_COOKIE, **cookie_options(request, secure))
        return response

    async def store_unavailable(self, request: Request, exc: Exception) -> Response:
        log.warning("Admin: story database unavailable: %s", exc)
        error = Refused(503, MSG_STORE, title=TITLE_STORE, retry_after=STORE_RETRY_AFTER)
        return self.admin.pages.error(request, error)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        http = cast(HTTPException, exc)
        title = HTTP_TITLES.get(http.status_code, TITLE_SERVER)
        message = HTTP_MESSAGES.get(http.status_code, MSG_SERVER)
        error = Refused(http.status_code, message, title=title, headers=http.headers)
        return self.admin.pages.error(request, error)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """A bug: a plain apology (uvicorn logs the traceback), and the connection closes."""
        error = Refused(500, MSG_SERVER, title=TITLE_SERVER, headers={"Connection": "close"})
        return self.admin.pages.error(request, error)

    async def disabled(self, request: Request) -> Response:
        """503 until a moderator account or a password hash exists: the admin exists but
        cannot be used yet.

        Not a 404: the operator who opens /admin/ should learn how to switch it on, and a 503
        reads as "not available" to monitoring. It says nothing a reader could use: there is
        no password to guess.
        """
        return self.admin.pages.render(
            request, "disabled.html", 503, show_flash=False, title=TITLE_DISABLED
        )


def _quote(path: str) -> str:
    return quote(path, safe="/")


def known_id(endpoint: Endpoint, parameter: str = "story_id") -> Endpoint:
    """404 for an id no database column can hold: the store would fail on it (SQLite
    cannot bind it, PostgreSQL refuses it), and no row has it anyway."""

    async def checked(request: Request) -> Response:
        if request.path_params[parameter] > REPLY_TO_MAX:
            raise HTTPException(404)
        return await endpoint(request)

    return checked


def switched_on(admin: Admin, handlers: Handlers, endpoint: Endpoint) -> Endpoint:
    """The switched-off page until the first account or password hash exists (asked on each
    request until then, so an account made from the command line works without a restart)."""

    async def checked(request: Request) -> Response:
        if not await admin.enabled():
            return await handlers.disabled(request)
        return await endpoint(request)

    return checked


def _routes(admin: Admin, handlers: Handlers) -> list[Route]:
    stylesheet = Route("/static/{name}", stylesheet_route(admin.stylesheets), methods=["GET"])
    routes = [
        Route(route.path, switched_on(admin, handlers, route.endpoint), methods=route.methods)
        for route in _working_routes(admin)
    ]
    return [stylesheet, *routes]


def _working_routes(admin: Admin) -> list[Route]:
    guard = Guard(admin)
    auth, reading = Auth(admin, guard), Reading(admin, guard)
    actions, editing = Actions(admin, guard), Editing(admin, guard)
    bulk = Bulk(admin, guard, actions)
    email = EmailLinks(admin)
    held = HeldBin(admin, guard)
    account, moderators = AccountPage(admin, guard), Moderators(admin, guard)
    moderator = "/moderators/{moderator_id:int}/remove"
    changes = Changes(admin, guard)
    story = "/stories/{story_id:int}"
    per_story = [
        ("", reading.story, "GET"),
        ("/approve", partial(actions.one, target=Status.APPROVED), "POST"),
        ("/reject", partial(actions.one, target=Status.REJECTED), "POST"),
        ("/spam", partial(actions.one, target=Status.SPAM), "POST"),
        ("/requeue", partial(actions.one, target=Status.PENDING), "POST"),
        ("/edit", editing.edit_form, "GET"),
        ("/edit", editing.edit, "POST"),
        ("/redact", editing.redact, "POST"),
        ("/reply", editing.reply_form, "GET"),
        ("/reply", editing.reply, "POST"),
        ("/delete", editing.delete_form, "GET"),
        ("/delete", editing.delete, "POST"),
        ("/change/approve", partial(changes.decide, approve=True), "POST"),
        ("/change/reject", partial(changes.decide, approve=False), "POST"),
    ]
    writers, safety = Writers(admin, guard), Safety(admin, guard)
    return [
        Route("/", reading.queue, methods=["GET"]),
        *_safety_routes(writers, safety),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/bulk", bulk.bulk, methods=["POST"]),
        Route("/undo", actions.undo, methods=["POST"]),
        Route("/held", held.page, methods=["GET"]),
        Route("/held/release", held.release, methods=["POST"]),
        Route("/held/undo", held.undo, methods=["POST"]),
        Route("/account", account.form, methods=["GET"]),
        Route("/account", account.change, methods=["POST"]),
        Route("/moderators", moderators.list, methods=["GET"]),
        Route("/moderators", moderators.add, methods=["POST"]),
        Route(moderator, known_id(moderators.remove_form, "moderator_id"), methods=["GET"]),
        Route(moderator, known_id(moderators.remove, "moderator_id"), methods=["POST"]),
        # The moderator's email links: the signed token is the credential, not a session.
        *(
            Route(f"/email/{action.value}", partial(handler, action=action), methods=[method])
            for action in LinkAction
            for handler, method in ((email.page, "GET"), (email.act, "POST"))
        ),
        *(
            Route(story + tail, known_id(endpoint), methods=[method])
            for tail, endpoint, method in per_story
        ),
    ]


def _safety_routes(writers: Writers, safety: Safety) -> list[Route]:
    """A writer's page and blocks, the hold list, closed articles (views/writer.py, blocks.py)."""
    return [
        Route("/writers/{story_id:int}", known_id(writers.page), methods=["GET"]),
        Route("/writers/{story_id:int}/block", known_id(writers.block), methods=["POST"]),
        Route("/blocks", safety.blocks, methods=["GET"]),
        Route("/blocks/{block_id:int}/lift", known_id(safety.lift, "block_id"), methods=["POST"]),
        Route("/hold-list", safety.hold_list, methods=["GET"]),
        Route("/hold-list", safety.change_list, methods=["POST"]),
        Route("/closed", safety.closed, methods=["GET"]),
        Route("/closed", safety.close, methods=["POST"]),
    ]


def create_app(
    config: Config,
    *,
    republisher: Republisher | None = None,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    login_limits: LoginLimits = LOGIN_LIMITS,
    session_lifetime: timedelta = DEFAULT_LIFETIME,
    clock: Clock = time.time,
) -> Starlette:
    """The moderation admin, to mount at /admin. Switched off (503) until a moderator account
    or a password hash exists.

    With a ``republisher`` (the built site), approvals and other public changes rewrite the
    article pages at once, as `invoke comments.approve` does; without one they show at the next
    build.
    ``app.state.close()`` releases the database when mounted (no lifespan runs then).
    """
    admin = Admin(
        config,
        republisher=republisher,
        busy_timeout=busy_timeout,
        login_limits=login_limits,
        session_lifetime=session_lifetime,
        clock=clock,
    )
    handlers = Handlers(admin)
    app = Starlette(
        routes=_routes(admin, handlers),
        exception_handlers={
            Refused: handlers.refused,
            LoginRequired: handlers.login_required,
            StoreUnavailable: handlers.store_unavailable,
            HTTPException: handlers.http_error,
            Exception: handlers.server_error,
        },
        lifespan=admin.lifespan,
    )
    relative_slash_redirects(app)
    app.state.admin = admin
    app.state.close = admin.close
    return app
