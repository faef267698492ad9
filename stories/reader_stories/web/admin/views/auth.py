"""Logging in (by name and password) and out.

A wrong name or password gets the same words whatever the reason (no such name, a wrong
password, a malformed hash), after the same argon2 work, so neither the answer nor its time says
which names exist. Failed attempts are limited per name and network, per network and per name
(login_limits.py); a correct login never counts.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.accounts.login import accounts_exist, authenticate
from reader_stories.errors import StoreUnavailable
from reader_stories.ratelimit import request_network_hash
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import cookie_options
from reader_stories.web.admin.forms import back_path, read_form
from reader_stories.web.admin.guard import MSG_CSRF, TITLE_CSRF, Guard, csrf_matches
from reader_stories.web.admin.login_limits import (
    LoginHeld,
    LoginKeys,
    give_back_login_slots,
    take_login_slots,
)
from reader_stories.web.admin.sessions import (
    LOGIN_COOKIE,
    LOGIN_FORM_LIFETIME,
    SESSION_COOKIE,
    SessionInvalid,
)
from reader_stories.web.errors import Refused
from reader_stories.web.intake.pages import wait_text

MSG_WRONG = "Name or password not recognised. Check both and try again."
MSG_NAME_LENGTH = "That name is too long to be a moderator's; check it and try again."
MSG_SESSION_ENDED = "Your session has ended; log in again to go on."
MSG_LOGGED_OUT = "You are logged out."
TITLE_LOGIN_FORM = "The login form has expired"
MSG_LOGIN_FORM = (
    "This login form is too old, or your browser did not send back the cookie that goes with "
    "it (the admin needs cookies). Open the login page again and log in from there."
)
TITLE_RATE = "Too many failed login attempts"
MSG_RATE = {
    "network": "There were too many failed logins from your network. Wait {wait} and try again.",
    "name": (
        "There were too many failed logins with this name. Wait {wait} and try again; other "
        "moderators can still log in."
    ),
}
NAME_FIELD_MAX = 200  # longer than any name; only stops a megabyte "name" reaching argon2's side


class Auth:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    def _set_cookie(
        self, response: Response, request: Request, name: str, value: str, max_age: timedelta
    ) -> None:
        options = cookie_options(request, self.admin.settings.secure_cookies)
        response.set_cookie(name, value, max_age=int(max_age.total_seconds()), **options)

    def _delete_cookie(self, response: Response, request: Request, name: str) -> None:
        response.delete_cookie(name, **cookie_options(request, self.admin.settings.secure_cookies))

    async def _login_page(
        self,
        request: Request,
        back: str,
        status: int = 200,
        error: str = "",
        name: str = "",
        field: str = "password",
    ) -> Response:
        cookie, token = self.admin.sessions.login_nonce(request.cookies.get(LOGIN_COOKIE))
        errors = {field: error} if error else {}
        single_password = bool(self.admin.settings.admin_password_hash)
        if single_password:
            # Only a hint: a store that is down shows at the next step, not here.
            with suppress(StoreUnavailable):
                single_password = not await self.admin.with_store(accounts_exist)
        response = self.admin.pages.render(
            request,
            "login.html",
            status,
            login_token=token,
            back=back,
            errors=errors,
            name=name,
            single_password=single_password,
        )
        self._set_cookie(response, request, LOGIN_COOKIE, cookie, LOGIN_FORM_LIFETIME)
        return response

    async def login_form(self, request: Request) -> Response:
        back = back_path(request.query_params.get("next", ""))
        try:
            await self.guard.live_session(request)
        except SessionInvalid:
            return await self._login_page(request, back)
        return self.admin.pages.redirect(request, back)

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        back = back_path(form.get("next"))
        cookie = request.cookies.get(LOGIN_COOKIE)
        if not self.admin.sessions.login_token_valid(cookie, form.get("csrf")):
            raise Refused(403, MSG_LOGIN_FORM, title=TITLE_LOGIN_FORM)
        name = form.get("name")
        if len(name) > NAME_FIELD_MAX:
            return await self._login_page(request, back, 422, MSG_NAME_LENGTH, field="name")
        settings = self.admin.settings
        network = request_network_hash(
            request, settings.trusted_proxies, settings.secret_key, "login:"
        )
        keys = LoginKeys.of(settings.secret_key, network, name)
        try:
            await self.admin.with_store(take_login_slots, keys, self.admin.login_limits)
        except LoginHeld as held:
            message = MSG_RATE[held.scope].format(wait=wait_text(held.retry_after))
            raise Refused(429, message, title=TITLE_RATE, retry_after=held.retry_after) from None
        account = await self.admin.with_store(
            authenticate, settings.admin_password_hash, name, form.get("password")
        )
        if account is None:
            return await self._login_page(request, back, 422, MSG_WRONG, name)
        await self.admin.with_store(give_back_login_slots, keys)
        value, _session = self.admin.sessions.issue(account)
        response = self.admin.pages.redirect(request, back)
        lifetime = self.admin.sessions.lifetime
        self._set_cookie(response, request, SESSION_COOKIE, value, lifetime)
        self._delete_cookie(response, request, LOGIN_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        """Ends the session everywhere (recorded in the store), then back to the login page."""
        form = await read_form(request)
        try:
            session = await self.guard.live_session(request)
        except SessionInvalid:
            session = None  # already over: nothing to end, and nothing an attacker gains
        if session is not None:
            if not csrf_matches(session, form):
                raise Refused(403, MSG_CSRF, title=TITLE_CSRF)
            await run_in_threadpool(self.guard.record_logout, session)
        response = self.admin.pages.redirect(request, "/login", "success", [MSG_LOGGED_OUT])
        self._delete_cookie(response, request, SESSION_COOKIE)
        return response
