"""Your password: every moderator changes their own, after typing the current one.

A new password ends the account's other sessions (their fingerprint no longer matches); this
browser gets a fresh session at once, so the moderator goes on working. Wrong current passwords
count as failed logins for the name (login_limits.py), so a borrowed session cannot be used to
guess the password and take the account over.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.accounts import manage
from reader_stories.accounts.login import Account
from reader_stories.ratelimit import request_network_hash
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import cookie_options
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.login_limits import (
    LoginHeld,
    LoginKeys,
    give_back_login_slots,
    take_login_slots,
)
from reader_stories.web.admin.passwords import (
    MSG_MISMATCH,
    check_new_password,
    hash_password,
    verify_password,
)
from reader_stories.web.admin.sessions import SESSION_COOKIE, Session
from reader_stories.web.errors import Refused
from reader_stories.web.intake.pages import wait_text

MSG_CURRENT = "That is not your current password; nothing was changed."
MSG_CHANGED = "Your password is changed; your other sessions have ended."
MSG_HELD = "There were too many wrong passwords for this name. Wait {wait} and try again."
TITLE_HELD = "Too many wrong passwords"
MSG_AGAIN_EMPTY = "Type the new password again, to be sure it is the one you meant."


def new_password_problems(password: str, again: str) -> dict[str, str]:
    """The form's problems with a new password typed twice, by field."""
    try:
        check_new_password(password)
    except ValueError as problem:
        return {"password": str(problem)}
    if not again:
        return {"password_again": MSG_AGAIN_EMPTY}
    if again != password:
        return {"password_again": MSG_MISMATCH}
    return {}


class AccountPage:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    def _page(
        self, request: Request, session: Session, errors: dict[str, str] | None = None
    ) -> Response:
        return self.admin.pages.render(
            request, "account.html", 422 if errors else 200, session=session, errors=errors or {}
        )

    async def form(self, request: Request) -> Response:
        """GET /account."""
        return self._page(request, await self.guard.page(request))

    async def change(self, request: Request) -> Response:
        """POST /account: the current password, then the new one twice."""
        session, form = await self.guard.post(request)
        account = session.account
        if account is None or account.legacy:
            return self._page(request, session)  # the page says where that password is set
        new, again = form.get("password"), form.get("password_again")
        errors = new_password_problems(new, again)
        if errors:
            return self._page(request, session, errors)
        settings = self.admin.settings
        network = request_network_hash(
            request, settings.trusted_proxies, settings.secret_key, "login:"
        )
        keys = LoginKeys.of(settings.secret_key, network, account.name)
        try:
            await self.admin.with_store(take_login_slots, keys, self.admin.login_limits)
        except LoginHeld as held:
            message = MSG_HELD.format(wait=wait_text(held.retry_after))
            raise Refused(429, message, title=TITLE_HELD, retry_after=held.retry_after) from None
        current = form.get("current")
        if not await run_in_threadpool(verify_password, account.password_hash, current):
            return self._page(request, session, {"current": MSG_CURRENT})
        await self.admin.with_store(give_back_login_slots, keys)
        new_hash = await run_in_threadpool(hash_password, new)
        await self.admin.with_store(manage.set_password, account.name, new_hash)
        await run_in_threadpool(self.guard.record_logout, session)
        renewed = Account(account.id, account.name, account.role, new_hash)
        cookie, _ = self.admin.sessions.issue(renewed)
        response = self.admin.pages.redirect(request, "/", "success", [MSG_CHANGED])
        options = cookie_options(request, settings.secure_cookies)
        lifetime = int(self.admin.sessions.lifetime.total_seconds())
        response.set_cookie(SESSION_COOKIE, cookie, max_age=lifetime, **options)
        return response
