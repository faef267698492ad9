"""The ticked stories of a list: approve, reject, mark as spam or delete them all (or none), tick
or untick the whole page, all with plain form posts that work without JavaScript.

Ticks are never lost on the way: a post that does not act (Enter pressed on a tick box, a
problem, a changed mind at the deletion page) comes back to the list with the same stories
ticked. Deleting asks first, on a page listing what goes.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import StoryMoved, StoryNotFound
from reader_stories.models import Status
from reader_stories.moderation import service
from reader_stories.moderation.report import counted, describe
from reader_stories.store import Store
from reader_stories.web.admin import checks, forms, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.forms import back_path, list_path, shown_status, story_ids
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.sessions import Session
from reader_stories.web.admin.views.actions import Actions, Result, refused
from reader_stories.web.errors import Refused

MOVES = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
MSG_NOTHING_TICKED = (
    "Nothing was ticked, so nothing was changed. Tick the stories first, then choose what to "
    "do with them."
)
MSG_CHOOSE = (
    "Nothing was changed: choose what to do with the {ticked}, with the buttons above or below "
    "the list. They are still ticked."
)
MSG_TICKED_ALL = "Ticked all {count} on this page; choose what to do with them."
MSG_UNTICKED = "Nothing is ticked now."
MSG_KEPT = "Nothing was deleted; the {ticked} are still ticked."
MSG_UNKNOWN_ACTION = "The form asked for an action the admin does not know; nothing was changed."


def ticked_words(count: int) -> str:
    return counted(count, "ticked story", "ticked stories")


class Bulk:
    def __init__(self, admin: Admin, guard: Guard, actions: Actions) -> None:
        self.admin = admin
        self.guard = guard
        self.actions = actions

    async def bulk(self, request: Request) -> Response:
        """POST /bulk: what the buttons of a list's ticked stories ask for."""
        session, form = await self.guard.post(request)
        shown = shown_status(form.get("status"))
        back = back_path(form.get("back"), list_path(shown or Status.PENDING))
        action = form.get("action")
        ids = story_ids(form.getlist("ids"))
        ticked = tuple(ids)
        redirect = self.admin.pages.redirect
        if action in ("none", "keep"):  # Enter pressed in the form, or "keep" at the deletion
            if not ids:
                return redirect(request, back, "error", [MSG_NOTHING_TICKED])
            message = MSG_KEPT if action == "keep" else MSG_CHOOSE
            return redirect(
                request,
                back,
                "info",
                [message.format(ticked=ticked_words(len(ids)))],
                ticked=ticked,
            )
        if action == "tick-all":
            page = tuple(story_ids(form.getlist("shown")))
            lines = [MSG_TICKED_ALL.format(count=counted(len(page), "story", "stories"))]
            return redirect(request, back, "info", lines, ticked=page)
        if action == "tick-none":
            return redirect(request, back, "info", [MSG_UNTICKED])
        if action not in (*MOVES, "delete", "delete-confirmed"):
            raise Refused(400, MSG_UNKNOWN_ACTION, title=forms.TITLE_FORM)
        if not ids:
            return redirect(request, back, "error", [MSG_NOTHING_TICKED])
        if action == "delete":
            return await self._confirm_delete(request, session, ids, shown, back)
        if action == "delete-confirmed":
            kind, lines = await run_in_threadpool(self._delete, ids, shown, session.actor)
            return redirect(request, back, kind, lines, ticked=ticked if kind == "error" else ())
        target = MOVES[action]
        return await self.actions.answer(request, session, ids, form, shown, target, back, ticked)

    async def _confirm_delete(
        self,
        request: Request,
        session: Session,
        ids: list[int],
        shown: Status | None,
        back: str,
    ) -> Response:
        """The page that asks before deleting, listing each story; a GET never deletes."""
        problems = await self.admin.with_store(_problems, ids, shown)
        if problems:
            lines = [*problems, checks.NOTHING_CHANGED]
            return self.admin.pages.redirect(request, back, "error", lines, ticked=tuple(ids))
        items = await self.admin.with_store(queries.items_of, ids)
        return self.admin.pages.render(
            request,
            "delete-many.html",
            session=session,
            items=items,
            status=shown.value if shown else "",
            back=back,
        )

    def _delete(self, ids: list[int], shown: Status | None, actor: str) -> Result:
        store = self.admin.store()
        problems = _problems(store, ids, shown)
        if problems:
            return "error", [*problems, checks.NOTHING_CHANGED]
        try:
            outcome = service.delete(store, self.admin.republisher, ids, shown, actor)
        except (StoryNotFound, StoryMoved) as exc:
            return refused(exc)
        return "success", describe(outcome)


def _problems(store: Store, ids: list[int], shown: Status | None) -> list[str]:
    """Each ticked story that is gone or moved since the page showed it."""
    return checks.problems(store, ids, queries.current_statuses(store, ids), shown, None)
