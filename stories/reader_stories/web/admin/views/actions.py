"""Approve, reject and mark as spam, one story or the ticked ones, through the moderation service.

Every change goes through moderation/service.py as `invoke comments.*` does, so an approval
rewrites the built article page at once when the admin has a republisher. Each answer is a 303
back to the page the moderator came from, with the outcome in words as a message.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidTransition, StoryMoved, StoryNotFound
from reader_stories.models import Status
from reader_stories.moderation import service
from reader_stories.moderation.report import describe
from reader_stories.web.admin import checks, forms, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import Kind
from reader_stories.web.admin.forms import back_path, list_path, shown_status, story_ids
from reader_stories.web.admin.guard import Guard
from reader_stories.web.errors import Refused

Result = tuple[Kind, list[str]]

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED}
MSG_NOTHING_TICKED = (
    "Nothing was ticked, so nothing was changed. Tick the stories first, then choose what to "
    "do with them."
)
MSG_CHOOSE = (
    "Nothing was changed: to act on the ticked stories, tick them again and press the button "
    "for what to do with them."
)
MSG_UNKNOWN_ACTION = "The form asked for an action the admin does not know; nothing was changed."


def refused(exc: Exception) -> Result:
    """A change refused inside its transaction (someone was quicker): say so, nothing changed."""
    return "error", [f"{exc}.", checks.NOTHING_CHANGED]


class Actions:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    def move(
        self, ids: Sequence[int], shown: Status | None, target: Status, reason: str | None
    ) -> Result:
        """Check every story is where the page showed it, then move them all (or none)."""
        store, republisher = self.admin.store(), self.admin.republisher
        current = queries.current_statuses(store, ids)
        problems = checks.problems(store, ids, current, shown, target)
        if problems:
            return "error", [*problems, checks.NOTHING_CHANGED]
        try:
            # `shown` goes along, so the store checks it again inside the change's transaction.
            if target == Status.APPROVED:
                mailer = self.admin.mailer
                outcome = service.approve(store, republisher, ids, mailer, expected=shown)
            elif target == Status.REJECTED:
                outcome = service.reject(store, republisher, ids, reason, expected=shown)
            else:
                outcome = service.spam(store, republisher, ids, expected=shown)
        except (StoryNotFound, InvalidTransition, StoryMoved) as exc:
            return refused(exc)
        return "success", describe(outcome)

    async def one(self, request: Request, target: Status) -> Response:
        """POST /stories/{id}/approve, /reject or /spam from a list or a story page."""
        _session, form = await self.guard.post(request)
        shown = shown_status(form.get("status"))
        back = back_path(form.get("back"), list_path(shown or Status.PENDING))
        story_id = int(request.path_params["story_id"])
        return await self._answer(request, [story_id], form, shown, target, back)

    async def bulk(self, request: Request) -> Response:
        """POST /bulk: approve or reject every ticked story of a list, all or nothing."""
        _session, form = await self.guard.post(request)
        shown = shown_status(form.get("status"))
        back = back_path(form.get("back"), list_path(shown or Status.PENDING))
        if form.get("action") == "none":  # Enter pressed in the form (its hidden first button)
            return self.admin.pages.redirect(request, back, "error", [MSG_CHOOSE])
        target = ACTIONS.get(form.get("action"))
        if target not in (Status.APPROVED, Status.REJECTED):
            raise Refused(400, MSG_UNKNOWN_ACTION, title=forms.TITLE_FORM)
        ids = story_ids(form.getlist("ids"))
        if not ids:
            return self.admin.pages.redirect(request, back, "error", [MSG_NOTHING_TICKED])
        return await self._answer(request, ids, form, shown, target, back)

    async def _answer(
        self,
        request: Request,
        ids: list[int],
        form: forms.Form,
        shown: Status | None,
        target: Status,
        back: str,
    ) -> Response:
        try:
            reason = forms.reason(form.get("reason")) if target == Status.REJECTED else None
        except ValueError as problem:
            return self.admin.pages.redirect(request, back, "error", [str(problem)])
        kind, lines = await run_in_threadpool(self.move, ids, shown, target, reason)
        return self.admin.pages.redirect(request, back, kind, lines)
