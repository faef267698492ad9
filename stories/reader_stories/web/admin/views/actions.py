"""Approve, reject, mark as spam or send back to pending, one story or several, through the
moderation service.

Every change goes through moderation/service.py as `invoke comments.*` does, so an approval
rewrites the built article page at once when the admin has a republisher. Each answer is a 303
back to the page the moderator came from, with the outcome in words as a message, and, for a
decision, the Undo that sends the stories back to pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidTransition, StoryMoved, StoryNotFound
from reader_stories.models import Status
from reader_stories.moderation import service
from reader_stories.moderation.report import describe
from reader_stories.web.admin import checks, forms, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import Kind, Undo
from reader_stories.web.admin.forms import back_path, list_path, shown_status, story_ids
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.sessions import Session

Result = tuple[Kind, list[str]]


@dataclass(frozen=True)
class Answer:
    """A move's result in words, and what would undo it (None: nothing to undo)."""

    kind: Kind
    lines: list[str]
    undo: Undo | None = None


def refused(exc: Exception) -> Result:
    """A change refused inside its transaction (someone was quicker): say so, nothing changed."""
    return "error", [f"{exc}.", checks.NOTHING_CHANGED]


class Actions:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    def _service(
        self,
        ids: Sequence[int],
        shown: Status | None,
        target: Status,
        reason: str | None,
        actor: str,
    ) -> service.Outcome:
        store, republisher = self.admin.store(), self.admin.republisher
        # `shown` goes along, so the store checks it again inside the change's transaction.
        if target == Status.APPROVED:
            mailer = self.admin.mailer
            return service.approve(store, republisher, ids, mailer, shown, actor)
        if target == Status.REJECTED:
            return service.reject(store, republisher, ids, reason, shown, actor)
        if target == Status.SPAM:
            return service.spam(store, republisher, ids, shown, actor)
        return service.return_to_pending(store, republisher, ids, shown, actor)

    def move(
        self,
        ids: Sequence[int],
        shown: Status | None,
        target: Status,
        reason: str | None,
        actor: str,
    ) -> Answer:
        """Check every story is where the page showed it, then move them all (or none)."""
        store = self.admin.store()
        current = queries.current_statuses(store, ids)
        problems = checks.problems(store, ids, current, shown, target)
        if problems:
            return Answer("error", [*problems, checks.NOTHING_CHANGED])
        try:
            outcome = self._service(ids, shown, target, reason, actor)
        except (StoryNotFound, InvalidTransition, StoryMoved) as exc:
            return Answer(*refused(exc))
        moved = tuple(story.id for story in outcome.stories)
        undo = Undo(moved, target.value) if target != Status.PENDING and moved else None
        return Answer("success", describe(outcome), undo)

    async def one(self, request: Request, target: Status) -> Response:
        """POST /stories/{id}/approve, /reject, /spam or /requeue from a list or a story page."""
        session, form = await self.guard.post(request)
        shown = shown_status(form.get("status"))
        back = back_path(form.get("back"), list_path(shown or Status.PENDING))
        story_id = int(request.path_params["story_id"])
        return await self.answer(request, session, [story_id], form, shown, target, back)

    async def undo(self, request: Request) -> Response:
        """POST /undo from a result message: the stories it names go back to pending, provided
        each is still where that change put it."""
        session, form = await self.guard.post(request)
        shown = shown_status(form.get("status"))
        back = back_path(form.get("back"), list_path(Status.PENDING))
        ids = story_ids(form.getlist("ids"))
        if shown is None or shown == Status.PENDING or not ids:
            return self.admin.pages.redirect(request, back, "error", [checks.NOTHING_CHANGED])
        return await self.answer(request, session, ids, form, shown, Status.PENDING, back)

    async def answer(
        self,
        request: Request,
        session: Session,
        ids: list[int],
        form: forms.Form,
        shown: Status | None,
        target: Status,
        back: str,
        ticked: tuple[int, ...] = (),
    ) -> Response:
        """Act, then back to ``back`` with the result; ``ticked`` stay ticked when it failed."""
        try:
            reason = forms.reason(form.getlist("reason")) if target == Status.REJECTED else None
        except ValueError as problem:
            return self.admin.pages.redirect(request, back, "error", [str(problem)], ticked=ticked)
        answer = await run_in_threadpool(self.move, ids, shown, target, reason, session.actor)
        return self.admin.pages.redirect(
            request,
            back,
            answer.kind,
            answer.lines,
            ticked=ticked if answer.kind == "error" else (),
            undo=answer.undo,
        )
