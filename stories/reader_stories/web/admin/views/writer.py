"""A writer's page (every story one writer sent, with the block at the top) and the block
itself, from that page or from a story's page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import StoriesError, StoryNotFound
from reader_stories.moderation import service
from reader_stories.moderation.blocks import DURATION_LABELS, block_words, blocked_in_words
from reader_stories.moderation.report import describe
from reader_stories.web.admin import checks
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.safety import (
    block_from_story,
    safety_back,
    waiting_ids,
    writer_page,
)
from reader_stories.web.admin.views.queue import no_story


class Writers:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def page(self, request: Request) -> Response:
        """GET /writers/{story_id}: the writer of that story, and everything they sent."""
        session = await self.guard.page(request)
        story_id = int(request.path_params["story_id"])
        secret = self.admin.settings.secret_key
        try:
            writer = await self.admin.with_store(writer_page, secret, story_id)
        except StoryNotFound:
            raise no_story(await self.admin.with_store(checks.gone, story_id)) from None
        return self.admin.pages.render(
            request,
            "writer.html",
            session=session,
            writer=writer,
            durations=DURATION_LABELS,
            block_words=block_words,
            back=f"/writers/{story_id}",
        )

    async def block(self, request: Request) -> Response:
        """POST /writers/{story_id}/block: block the writer of that story; optionally mark
        their waiting stories as spam too (a separate, explicit choice)."""
        session, form = await self.guard.post(request)
        story_id = int(request.path_params["story_id"])
        back = safety_back(form.get("back"), f"/writers/{story_id}")
        secret = self.admin.settings.secret_key
        try:
            made = await self.admin.with_store(
                block_from_story,
                secret,
                story_id,
                form.get("way") or "both",
                form.get("duration"),
                form.get("note"),
                session.actor,
            )
        except StoryNotFound:  # its pages are gone too: back to the queue
            lines = [await self.admin.with_store(checks.gone, story_id), checks.NOTHING_CHANGED]
            return self.admin.pages.redirect(request, "/", "error", lines)
        except (ValueError, StoriesError) as problem:
            lines = [str(problem).rstrip(".") + ".", checks.NOTHING_CHANGED]
            return self.admin.pages.redirect(request, back, "error", lines)
        lines = blocked_in_words(made)
        if form.get("spam_waiting") == "yes":
            lines += await run_in_threadpool(self._spam_waiting, story_id, session.actor)
        return self.admin.pages.redirect(request, back, "success", lines)

    def _spam_waiting(self, story_id: int, actor: str) -> list[str]:
        store = self.admin.store()
        ids = waiting_ids(store, story_id)
        if not ids:
            return ["No story of theirs was waiting."]
        return describe(service.spam(store, self.admin.republisher, ids, actor=actor))
