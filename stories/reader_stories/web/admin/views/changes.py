"""Approve or reject a writer's change to their published story, through the moderation
service as `invoke comments.approve-change` and `comments.reject-change` do.

The change waits beside the published story; approving it rewrites the article page at once
(where the admin has the built site), rejecting it leaves the page as it is. Each answer is a
303 back to the page the moderator came from, with the outcome in words.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import NoChangeWaiting, StoryNotFound
from reader_stories.moderation import service
from reader_stories.moderation.report import describe
from reader_stories.web.admin import checks, forms
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import Kind
from reader_stories.web.admin.forms import back_path
from reader_stories.web.admin.guard import Guard

MSG_NONE_WAITING = (
    "Story #{id} has no change from its writer waiting any more: someone decided on it "
    "meanwhile, or the story left the page."
)
MSG_GONE = "Story #{id} was deleted meanwhile."


class Changes:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    def _decide(
        self, story_id: int, approve: bool, reason: str | None, actor: str
    ) -> tuple[Kind, list[str]]:
        store, republisher, mailer = self.admin.store(), self.admin.republisher, self.admin.mailer
        try:
            if approve:
                outcome = service.approve_change(store, republisher, story_id, mailer, actor)
            else:
                outcome = service.reject_change(store, republisher, story_id, reason, mailer, actor)
        except NoChangeWaiting:
            return "error", [MSG_NONE_WAITING.format(id=story_id), checks.NOTHING_CHANGED]
        except StoryNotFound:
            return "error", [MSG_GONE.format(id=story_id), checks.NOTHING_CHANGED]
        return "success", describe(outcome)

    async def decide(self, request: Request, approve: bool) -> Response:
        """POST /stories/{id}/change/approve or /change/reject from the queue or a story page."""
        session, form = await self.guard.post(request)
        back = back_path(form.get("back"), "/")
        story_id = int(request.path_params["story_id"])
        reason: str | None = None
        if not approve:
            try:
                reason = forms.reason(form.getlist("reason"))
            except ValueError as problem:
                return self.admin.pages.redirect(request, back, "error", [str(problem)])
        kind, lines = await run_in_threadpool(
            self._decide, story_id, approve, reason, session.actor
        )
        return self.admin.pages.redirect(request, back, kind, lines)
