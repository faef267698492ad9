"""The Moderators page, for owners: who can log in, adding a moderator, removing one.

An owner gives a new moderator their first password (typed twice here) and tells them it by
another way than email; the moderator changes it on their Your password page. No set-password
link is sent: the admin may run without mail, and a link in a mailbox is one more credential to
leak. While the single password of an older install is all there is, the first account made
here must be an owner, and from then on everyone logs in by name.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.accounts import manage
from reader_stories.accounts.manage import AccountRefused
from reader_stories.accounts.names import Role, check_name
from reader_stories.store import ModeratorRow
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.passwords import hash_password
from reader_stories.web.admin.sessions import Session
from reader_stories.web.admin.views.account import new_password_problems
from reader_stories.web.errors import Refused

TITLE_GONE = "That moderator is not here"
MSG_GONE = "There is no such moderator: they may have been removed already. Nothing was changed."
MSG_ADDED = (
    "Added {role} {name!r}. Tell them their password another way than email; they can change "
    "it on their Your password page."
)
MSG_FIRST = (
    "Added owner {name!r}. From now on everyone logs in with a name: log in as {name!r} with "
    "the password you gave it."
)
MSG_REMOVED = "Removed {name!r}; their sessions have ended. Story histories keep their name."


class Moderators:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def _page(
        self,
        request: Request,
        session: Session,
        errors: dict[str, str] | None = None,
        name: str = "",
        role: str = Role.MODERATOR,
    ) -> Response:
        rows = await self.admin.with_store(manage.list_moderators)
        first = not rows
        return self.admin.pages.render(
            request,
            "moderators.html",
            422 if errors else 200,
            session=session,
            moderators=rows,
            errors=errors or {},
            name=name,
            role=Role.OWNER if first else role,
            first=first,
        )

    async def list(self, request: Request) -> Response:
        """GET /moderators."""
        return await self._page(request, await self.guard.owner_page(request))

    async def add(self, request: Request) -> Response:
        """POST /moderators: a new account with its first password."""
        session, form = await self.guard.owner_post(request)
        name, role = form.get("name"), form.get("role")
        first = not await self.admin.with_store(manage.list_moderators)
        role = Role.OWNER if first or role == Role.OWNER else Role.MODERATOR
        errors: dict[str, str] = {}
        try:
            check_name(name)
        except ValueError as problem:
            errors["name"] = str(problem)
        errors.update(new_password_problems(form.get("password"), form.get("password_again")))
        if errors:
            return await self._page(request, session, errors, name, role)
        password_hash = await run_in_threadpool(hash_password, form.get("password"))
        try:
            row = await self.admin.with_store(manage.add_moderator, name, password_hash, role)
        except AccountRefused as refused:
            return await self._page(request, session, {"name": str(refused)}, name, role)
        if first:
            message = MSG_FIRST.format(name=row.name)
            return self.admin.pages.redirect(request, "/login", "success", [message])
        message = MSG_ADDED.format(role=row.role, name=row.name)
        return self.admin.pages.redirect(request, "/moderators", "success", [message])

    async def _row(self, moderator_id: int) -> ModeratorRow:
        rows = await self.admin.with_store(manage.list_moderators)
        row = next((r for r in rows if r.id == moderator_id), None)
        if row is None:
            raise Refused(404, MSG_GONE, title=TITLE_GONE)
        return row

    async def remove_form(self, request: Request) -> Response:
        """GET /moderators/{id}/remove: asks first; a GET never removes."""
        session = await self.guard.owner_page(request)
        row = await self._row(int(request.path_params["moderator_id"]))
        return self.admin.pages.render(request, "moderator-remove.html", session=session, row=row)

    async def remove(self, request: Request) -> Response:
        """POST /moderators/{id}/remove."""
        _session, _form = await self.guard.owner_post(request)
        moderator_id = int(request.path_params["moderator_id"])
        try:
            row = await self.admin.with_store(manage.remove_moderator_by_id, moderator_id)
        except AccountRefused as refused:
            lines = [str(refused)]
            return self.admin.pages.redirect(request, "/moderators", "error", lines)
        message = MSG_REMOVED.format(name=row.name)
        return self.admin.pages.redirect(request, "/moderators", "success", [message])
