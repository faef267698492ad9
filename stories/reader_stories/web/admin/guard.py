"""Who may do what: a page needs a live session; a POST needs a live session and its CSRF token;
the Moderators pages need an owner's session.

A session is live while it is not logged out, its account exists, and it was opened with the
account's current password: removing an account or giving it a new password ends its sessions.

A page without a session sends the browser to the login page. A POST without one is refused with
403 and changes nothing, whatever else it carries: a replayed form from before a logout, a form
from another site, or a token that does not belong to the session.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from reader_stories.accounts.login import Account, session_account
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
    "than 12 hours old, or your password was changed or your account removed. Nothing was "
    "changed. Log in again, then repeat what you were doing."
)
TITLE_OWNERS = "Only an owner can do this"
MSG_OWNERS = (
    "Adding and removing moderators is for the site's owners. Nothing was changed; ask an owner "
    "if an account needs to change."
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

    def _account(self, session: Session) -> Account:
        """The session's account, or SessionInvalid: logged out (in any process sharing the
        store), the account removed, or its password changed since."""
        key = self.admin.sessions.revocation_key(session)
        legacy_hash = self.admin.settings.admin_password_hash
        with self.admin.store().reading() as tx:
            since = tx.clock() - self.admin.sessions.lifetime - timedelta(hours=1)
            if tx.count_rate_events(key, since) > 0:
                raise SessionInvalid("logged out")
            account = session_account(tx, legacy_hash, session.moderator_id)
        if account is None:
            raise SessionInvalid("account removed")
        if not self.admin.sessions.belongs_to(session, account):
            raise SessionInvalid("password changed")
        return account

    def record_logout(self, session: Session) -> None:
        """End the session in every process: its logout is kept in the store's rate events."""
        with self.admin.store().writing() as tx:
            tx.record_rate_event(self.admin.sessions.revocation_key(session))

    async def live_session(self, request: Request) -> Session:
        """The session of the request, or SessionInvalid saying why there is none."""
        session = self.admin.sessions.open(request.cookies.get(SESSION_COOKIE))
        account = await run_in_threadpool(self._account, session)
        return replace(session, account=account)

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

    async def owner_page(self, request: Request) -> Session:
        """For the Moderators pages: an owner's session (403 for a moderator's)."""
        session = await self.page(request)
        return _owner(session)

    async def owner_post(self, request: Request) -> tuple[Session, Form]:
        session, form = await self.post(request)
        return _owner(session), form


def _owner(session: Session) -> Session:
    if session.account is None or not session.account.owner:
        raise Refused(403, MSG_OWNERS, title=TITLE_OWNERS)
    return session
