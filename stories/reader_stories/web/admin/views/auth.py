"""Logging in and out.

A wrong password gets the same words whatever the reason (no such password, a malformed hash),
after the same argon2 work. Failed attempts are limited per client network in the store's rate
events under their own key ("login:" + network, hashed with the secret). Each attempt takes a
slot before the password is even checked, so parallel guesses cannot slip past the limit; a
correct password gives its slot back, so moderators logging in never lock each other out.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import RateLimited
from reader_stories.ratelimit import check_rate, release_slot, request_network_hash
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import cookie_options
from reader_stories.web.admin.forms import back_path, read_form
from reader_stories.web.admin.guard import MSG_CSRF, TITLE_CSRF, Guard, csrf_matches
from reader_stories.web.admin.passwords import verify_password
from reader_stories.web.admin.sessions import (
    LOGIN_COOKIE,
    LOGIN_FORM_LIFETIME,
    SESSION_COOKIE,
    SessionInvalid,
)
from reader_stories.web.errors import Refused
from reader_stories.web.intake.pages import wait_text

MSG_WRONG = "Password not recognised. Check it and try again."
MSG_SESSION_ENDED = "Your session has ended; log in again to go on."
MSG_LOGGED_OUT = "You are logged out."
TITLE_LOGIN_FORM = "The login form has expired"
MSG_LOGIN_FORM = (
    "This login form is too old, or your browser did not send back the cookie that goes with "
    "it (the admin needs cookies). Open the login page again and log in from there."
)
TITLE_RATE = "Too many login attempts"
MSG_RATE = "There were too many login attempts from your network. Wait {wait} and try again."


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

    def _login_page(
        self, request: Request, back: str, status: int = 200, error: str = ""
    ) -> Response:
        cookie, token = self.admin.sessions.login_nonce(request.cookies.get(LOGIN_COOKIE))
        errors = {"password": error} if error else {}
        response = self.admin.pages.render(
            request, "login.html", status, login_token=token, back=back, errors=errors
        )
        self._set_cookie(response, request, LOGIN_COOKIE, cookie, LOGIN_FORM_LIFETIME)
        return response

    async def login_form(self, request: Request) -> Response:
        back = back_path(request.query_params.get("next", ""))
        try:
            await self.guard.live_session(request)
        except SessionInvalid:
            return self._login_page(request, back)
        return self.admin.pages.redirect(request, back)

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        back = back_path(form.get("next"))
        cookie = request.cookies.get(LOGIN_COOKIE)
        if not self.admin.sessions.login_token_valid(cookie, form.get("csrf")):
            raise Refused(403, MSG_LOGIN_FORM, title=TITLE_LOGIN_FORM)
        settings = self.admin.settings
        key = request_network_hash(request, settings.trusted_proxies, settings.secret_key, "login:")
        limit = self.admin.login_limit
        try:
            window = timedelta(seconds=limit.seconds)
            await self.admin.with_store(check_rate, key, limit.count, window)
        except RateLimited as limited:
            message = MSG_RATE.format(wait=wait_text(limited.retry_after))
            raise Refused(429, message, title=TITLE_RATE, retry_after=limited.retry_after) from None
        password = form.get("password")
        hashed = self.admin.settings.admin_password_hash
        if not await run_in_threadpool(verify_password, hashed, password):
            return self._login_page(request, back, 422, MSG_WRONG)
        await self.admin.with_store(release_slot, key)
        value, _session = self.admin.sessions.issue()
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
