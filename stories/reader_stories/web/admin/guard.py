"""Who may do what: a page needs a live session; a POST needs a live session and its CSRF token.

A page without a session sends the browser to the login page. A POST without one is refused with
403 and changes nothing, whatever else it carries: a replayed form from before a logout, a form
from another site, or a token that does not belong to the session.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.forms import Form, read_form
from reader_stories.web.admin.sessions import (
    SESSION_COOKIE,
    Session,
    SessionInvalid,
    tokens_match,
)
from reader_stories.web.errors import Refused

TITLE_SESSION = "Your session has ended"
MSG_SESSION = (
    "This form was not accepted because your session has ended: you logged out, it is more "
    "than 12 hours old, or the password was changed. Nothing was changed. Log in again, then "
    "repeat what you were doing."
)
TITLE_CSRF = "This form was refused"
MSG_CSRF = (
    "This form did not carry the security token of your session, so it may not have come from "
    "this admin. Nothing was changed. Reload the page and try again."
)


class LoginRequired(Exception):
    """A page asked for without a live session; ``reason`` is "missing" when none was sent."""

    def __init__(self, reason: str, back: str) -> None:
        self.reason = reason
        self.back = back
        super().__init__(reason)


def route_path(request: Request) -> str:
    """The path inside the admin ("/stories/12"), with its query, to come back to after login."""
    root = str(request.scope.get("root_path", ""))
    path = request.url.path.removeprefix(root) or "/"
    return f"{path}?{request.url.query}" if request.url.query else path


def csrf_matches(session: Session, form: Form) -> bool:
    """The form carries this session's token (compared in constant time)."""
    return tokens_match(session.csrf, form.get("csrf"))


class Guard:
    def __init__(self, admin: Admin) -> None:
        self.admin = admin

    def _logged_out(self, session: Session) -> bool:
        """Whether this session's logout was recorded (in any process sharing the store)."""
        key = self.admin.sessions.revocation_key(session)
        with self.admin.store().reading() as tx:
            since = tx.clock() - self.admin.sessions.lifetime - timedelta(hours=1)
            return tx.count_rate_events(key, since) > 0

    def record_logout(self, session: Session) -> None:
        """End the session in every process: its logout is kept in the store's rate events."""
        with self.admin.store().writing() as tx:
            tx.record_rate_event(self.admin.sessions.revocation_key(session))

    async def live_session(self, request: Request) -> Session:
        """The session of the request, or SessionInvalid saying why there is none."""
        session = self.admin.sessions.open(request.cookies.get(SESSION_COOKIE))
        if await run_in_threadpool(self._logged_out, session):
            raise SessionInvalid("logged out")
        return session

    async def page(self, request: Request) -> Session:
        """For pages: the session, or off to the login page (and back here afterwards)."""
        try:
            return await self.live_session(request)
        except SessionInvalid as invalid:
            raise LoginRequired(invalid.reason, route_path(request)) from None

    async def post(self, request: Request) -> tuple[Session, Form]:
        """For actions: the session and the form, or 403 with nothing changed."""
        form = await read_form(request)
        try:
            session = await self.live_session(request)
        except SessionInvalid:
            raise Refused(403, MSG_SESSION, title=TITLE_SESSION) from None
        if not csrf_matches(session, form):
            raise Refused(403, MSG_CSRF, title=TITLE_CSRF)
        return session, form
